/**
 * `power.off`: the node's inventory power-off command, then wait until SSH no longer answers. A
 * reachable manager may only go down when the others keep the quorum (R − 1 ≥ Q(M)): the runner's
 * quorum gate judges that, with everything else in flight.
 */
import { defineAction } from '../define.js';
import { nodeOf } from './engine-api.js';
import { durationMs, durationSchema } from '../poll.js';
import { describePower, guardManual, sshAnswers, switchPower, waitSsh } from './power.js';

export interface PowerOffWith {
  wait?: boolean;
  timeout?: string;
}

export const powerOff = defineAction<PowerOffWith>({
  name: 'power.off',
  description: 'Power a node off with its inventory power command; wait until it no longer answers on SSH.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      wait: { type: 'boolean', description: 'Wait until SSH no longer answers (default true).' },
      timeout: durationSchema('How long the node may take to go silent (default 5m).'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'local',
  plan(_args, ctx) {
    const node = nodeOf(ctx, 'power.off');
    return [describePower(node, 'off', ctx.ports.shell.quote), { summary: `wait until ${node.name} no longer answers on SSH port ${node.ssh.port}` }];
  },
  quorumEffect(_args, target) {
    return target.type === 'node' ? { node: target.node.name, kind: 'stop' } : undefined;
  },
  async check(_args, ctx) {
    const node = nodeOf(ctx, 'power.off');
    return (await sshAnswers(ctx, node)) ? { satisfied: false, detail: `${node.name} answers on SSH` } : { satisfied: true, detail: `${node.name} does not answer on SSH` };
  },
  async guard(_args, ctx) {
    guardManual(ctx, nodeOf(ctx, 'power.off'), 'off');
  },
  async run(args, ctx) {
    const node = nodeOf(ctx, 'power.off');
    await switchPower(ctx, node, 'off');
    if (args.wait !== false) await waitSsh(ctx, node, false, durationMs(args.timeout, 5 * 60_000));
    return { node: node.name, power: 'off' };
  },
});
