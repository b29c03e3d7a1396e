/**
 * `docker.daemon.restart`: restart a node's dockerd — `systemctl restart docker` over SSH unless
 * `command` (over SSH) or `local_command` (on the runner's machine, `{node}` → quoted name) says
 * otherwise — then wait until `GET /info` answers and the node is back in its swarm. Restarting a
 * reachable manager needs the others to keep the quorum (R − 1 ≥ Q(M)): the runner's quorum gate
 * judges that while the restart runs.
 */
import { describeError, RunbookError } from '../../../errors.js';
import { sshTargetOf } from '../../../io/ssh/target.js';
import type { ActionContext } from '../../define.js';
import { defineAction } from '../../define.js';
import { commandFailed, withSudo } from '../../ssh/target.js';
import { engineApiOf, nodeOf } from '../engine-api.js';
import { durationMs, durationSchema, pollUntil } from '../../poll.js';

export interface DaemonRestartWith {
  command?: string;
  local_command?: string;
  sudo?: boolean;
  timeout?: string;
}

const DEFAULT_COMMAND = 'systemctl restart docker';

interface InfoView {
  readonly ServerVersion?: string;
  readonly Swarm?: { readonly LocalNodeState?: string };
}

function remoteCommand(args: DaemonRestartWith, quote: (s: string) => string): string {
  const command = args.command ?? DEFAULT_COMMAND;
  return args.sudo === true ? withSudo(command, quote) : command;
}

async function info(ctx: ActionContext, signal: AbortSignal): Promise<InfoView> {
  return engineApiOf(ctx, nodeOf(ctx, 'docker.daemon.restart'), signal).get<InfoView>('/info');
}

async function restart(args: DaemonRestartWith, ctx: ActionContext): Promise<void> {
  const node = nodeOf(ctx, 'docker.daemon.restart');
  const quote = ctx.ports.shell.quote;
  if (args.local_command !== undefined) {
    const result = await ctx.ports.shell.run({
      command: args.local_command.split('{node}').join(quote(node.name)),
      signal: ctx.signal,
      onLine: (stream, line) => ctx.log(stream, line),
    });
    if (result.exitCode !== 0) {
      const tail = result.stderr.split('\n').filter((l) => l.length > 0).slice(-20);
      throw new RunbookError('COMMAND_FAILED', `restarting docker on ${node.name}: the local command failed with exit code ${result.exitCode}`, { details: tail });
    }
    return;
  }
  const target = sshTargetOf(node);
  const result = await ctx.ports.ssh.exec(target, remoteCommand(args, quote), { signal: ctx.signal, onLine: (stream, line) => ctx.log(stream, line) });
  if (result.exitCode !== 0) throw commandFailed(target, 'restarting docker', result);
}

export const daemonRestart = defineAction<DaemonRestartWith>({
  name: 'docker.daemon.restart',
  description: 'Restart a node’s Docker daemon and wait until its API answers and it is back in the swarm.',
  with: {
    type: 'object',
    additionalProperties: false,
    not: { required: ['command', 'local_command'] },
    properties: {
      command: { type: 'string', description: `Run over SSH on the node instead of \`${DEFAULT_COMMAND}\`.` },
      local_command: { type: 'string', description: 'Run on the runner’s machine instead (`{node}` becomes the quoted node name), e.g. a BMC tool.' },
      sudo: { type: 'boolean', description: 'Run the SSH command through `sudo -n`.' },
      timeout: durationSchema('How long the daemon may take to answer again (default 5m).'),
    },
  },
  shellFields: ['command', 'local_command'],
  mutating: true,
  idempotent: false,
  // A restart must name its node: no default manager is picked for it.
  defaultTarget: 'local',
}, {
  plan(args, ctx) {
    const node = nodeOf(ctx, 'docker.daemon.restart');
    const quote = ctx.ports.shell.quote;
    return [
      args.local_command !== undefined
        ? { summary: `restart docker on ${node.name} (local command)`, call: args.local_command.split('{node}').join(quote(node.name)) }
        : { summary: `restart docker on ${node.name} over SSH`, call: remoteCommand(args, quote) },
      { summary: 'wait until the daemon answers and its swarm state is back', call: 'GET /info' },
    ];
  },
  quorumEffect(_args, target) {
    return target.type === 'node' ? { node: target.node.name, kind: 'restart' } : undefined;
  },
  async run(args, ctx) {
    const node = nodeOf(ctx, 'docker.daemon.restart');
    const before = await info(ctx, ctx.signal);
    const swarmState = before.Swarm?.LocalNodeState ?? '';
    await restart(args, ctx);
    const after = await pollUntil(
      ctx,
      { what: `docker on ${node.name} answering`, intervalMs: 1000, timeoutMs: durationMs(args.timeout, 5 * 60_000) },
      async () => {
        let now: InfoView;
        try {
          now = await info(ctx, AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]));
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          return { done: false, waiting: `GET /info: ${describeError(e)}` };
        }
        const state = now.Swarm?.LocalNodeState ?? '';
        // A swarm member first comes back `pending`; the step is done when it is `active` again.
        return swarmState === 'active' && state !== 'active'
          ? { done: false, waiting: `swarm state ${state || 'unknown'}` }
          : { done: true, value: now };
      },
    );
    return { node: node.name, version: after.ServerVersion ?? '', swarm: after.Swarm?.LocalNodeState ?? '' };
  },
});
