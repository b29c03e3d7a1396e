/**
 * Powering a node through the inventory's power commands: a local command (`{node}` becomes the
 * quoted node name), `ssh-poweroff` (`systemctl poweroff` over SSH), or `manual` (the operator does
 * it and says so). Whether the node is up is judged by SSH answering, which is what every later
 * step needs.
 */
import { describeError, isRunbookError, RunbookError } from '../../errors.js';
import { sshTargetOf } from '../../io/ssh/target.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { ActionContext } from '../define.js';
import { commandFailed, withSudo } from '../ssh/target.js';
import { pollUntil } from '../poll.js';

export type PowerSwitch = 'on' | 'off';

/** The node's command with `{node}` replaced by its quoted name. */
export function powerCommandLine(node: InventoryNode, which: PowerSwitch, quote: (s: string) => string): string {
  return node.power[which].split('{node}').join(quote(node.name));
}

export function describePower(node: InventoryNode, which: PowerSwitch, quote: (s: string) => string): { summary: string; call?: string } {
  const command = node.power[which];
  if (command === 'manual') return { summary: `ask the operator to power ${which} ${node.name}, then wait for a yes` };
  if (command === 'ssh-poweroff') return { summary: `power off ${node.name} over SSH (the connection dropping is expected)`, call: 'systemctl poweroff' };
  return { summary: `power ${which} ${node.name} (local command)`, call: powerCommandLine(node, which, quote) };
}

/** Refuses before anything runs when a person is needed and none can answer. */
export function guardManual(ctx: ActionContext, node: InventoryNode, which: PowerSwitch): void {
  if (node.power[which] === 'manual' && !ctx.ports.prompt.interactive) {
    throw new RunbookError('GATE_REFUSED', `a person must power ${which} ${node.name} and confirm it at a terminal; stdin is not a terminal (run this step from one)`);
  }
}

export async function switchPower(ctx: ActionContext, node: InventoryNode, which: PowerSwitch): Promise<void> {
  const command = node.power[which];
  const quote = ctx.ports.shell.quote;
  if (command === 'manual') {
    ctx.log('info', `power ${which} ${node.name} by hand`);
    const yes = await ctx.ports.prompt.confirm(`Power ${which} ${node.name}, then answer yes`, ctx.signal);
    if (!yes) throw new RunbookError('GATE_REFUSED', `the operator did not confirm that ${node.name} was powered ${which}`);
    return;
  }
  if (command === 'ssh-poweroff') {
    if (which === 'on') throw new RunbookError('INVALID', `${node.name}: ssh-poweroff cannot power a node on; set power.on to a command or manual`);
    const target = sshTargetOf(node);
    const line = target.user === 'root' ? 'systemctl poweroff' : withSudo('systemctl poweroff', quote);
    try {
      const result = await ctx.ports.ssh.exec(target, line, { signal: ctx.signal });
      if (result.exitCode !== 0 && result.signal === undefined) throw commandFailed(target, 'systemctl poweroff', result);
    } catch (e) {
      // The host going down takes the connection with it: that is the command working.
      if (!(isRunbookError(e) && e.code === 'UNREACHABLE')) throw e;
    }
    return;
  }
  const result = await ctx.ports.shell.run({
    command: powerCommandLine(node, which, quote),
    signal: ctx.signal,
    onLine: (stream, line) => ctx.log(stream, line),
  });
  if (result.exitCode !== 0) {
    const tail = result.stderr.split('\n').filter((l) => l.length > 0).slice(-20);
    throw new RunbookError('COMMAND_FAILED', `power ${which} ${node.name}: the command failed with exit code ${result.exitCode}`, { details: tail });
  }
}

/** Does the node answer on SSH within `ms`? Host key and login problems count as answering. */
export async function sshAnswers(ctx: ActionContext, node: InventoryNode, ms = 8000): Promise<boolean> {
  try {
    await ctx.ports.ssh.exec(sshTargetOf(node), 'true', { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ms)]), readOnly: true });
    return true;
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    if (isRunbookError(e) && (e.code === 'HOST_KEY' || e.code === 'AUTH')) {
      ctx.log('stderr', describeError(e));
      return true;
    }
    return false;
  }
}

export function waitSsh(ctx: ActionContext, node: InventoryNode, up: boolean, timeoutMs: number): Promise<void> {
  return pollUntil(ctx, { what: `${node.name} ${up ? 'answering' : 'silent'} on SSH`, intervalMs: 2000, timeoutMs }, async () =>
    (await sshAnswers(ctx, node)) === up
      ? { done: true, value: undefined }
      : { done: false, waiting: `${node.name} ${up ? 'does not answer on SSH yet' : 'still answers on SSH'}` },
  );
}
