/**
 * `power.on` and `power.off`: one definition for both switches. The node's inventory power command
 * (or the operator, for `manual`), then wait until SSH answers again or no longer does. A reachable
 * manager may only go down when the others keep the quorum (R − 1 ≥ Q(M)): the runner's quorum gate
 * judges that, with everything else in flight; a node switched on no longer counts as stopped.
 */
import { defineAction, type ActionDefinition } from '../define.js';
import { nodeOf } from '../docker/engine-api.js';
import { durationMs, durationSchema } from '../poll.js';
import { describePower, guardManual, sshAnswers, switchPower, waitSsh, type PowerSwitch } from './switch.js';

export interface PowerWith {
  wait?: boolean;
  timeout?: string;
}

const WORDS = {
  on: { up: true, waitFor: 'answers', defaultMs: 10 * 60_000, timeout: 'How long the node may take to boot (default 10m).', wait: 'Wait until SSH answers (default true).' },
  off: { up: false, waitFor: 'no longer answers', defaultMs: 5 * 60_000, timeout: 'How long the node may take to go silent (default 5m).', wait: 'Wait until SSH no longer answers (default true).' },
} as const;

function powerAction(which: PowerSwitch): ActionDefinition<PowerWith> {
  const name = `power.${which}`;
  const words = WORDS[which];
  return defineAction<PowerWith>(
    {
      name,
      description:
        which === 'on'
          ? 'Power a node on with its inventory power command (or ask the operator); wait until it answers on SSH.'
          : 'Power a node off with its inventory power command; wait until it no longer answers on SSH.',
      with: {
        type: 'object',
        additionalProperties: false,
        properties: { wait: { type: 'boolean', description: words.wait }, timeout: durationSchema(words.timeout) },
      },
      mutating: true,
      idempotent: true,
      defaultTarget: 'local',
    },
    {
      plan(_args, ctx) {
        const node = nodeOf(ctx, name);
        return [describePower(node, which, ctx.ports.shell.quote), { summary: `wait until ${node.name} ${words.waitFor} on SSH port ${node.ssh.port}` }];
      },
      ...(which === 'off'
        ? { quorumEffect: (_args, target) => (target.type === 'node' ? { node: target.node.name, kind: 'stop' } : undefined) }
        : { startsNode: (_args, target) => (target.type === 'node' ? target.node.name : undefined) }),
      async check(_args, ctx) {
        const node = nodeOf(ctx, name);
        const answers = await sshAnswers(ctx, node);
        return { satisfied: answers === words.up, detail: `${node.name} ${answers ? 'answers' : 'does not answer'} on SSH` };
      },
      async guard(_args, ctx) {
        guardManual(ctx, nodeOf(ctx, name), which);
      },
      async run(args, ctx) {
        const node = nodeOf(ctx, name);
        await switchPower(ctx, node, which);
        if (args.wait !== false) await waitSsh(ctx, node, words.up, durationMs(args.timeout, words.defaultMs));
        return { node: node.name, power: which };
      },
    },
  );
}

export const powerOn = powerAction('on');
export const powerOff = powerAction('off');
