/**
 * `power.on`: the node's inventory power-on command (or the operator, for `manual`), then wait until
 * it answers on SSH.
 */
import { defineAction } from '../define.js';
import { nodeOf } from './engine-api.js';
import { durationMs, durationSchema } from '../poll.js';
import { describePower, guardManual, sshAnswers, switchPower, waitSsh } from './power.js';

export interface PowerOnWith {
  wait?: boolean;
  timeout?: string;
}

export const powerOn = defineAction<PowerOnWith>({
  name: 'power.on',
  description: 'Power a node on with its inventory power command (or ask the operator); wait until it answers on SSH.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      wait: { type: 'boolean', description: 'Wait until SSH answers (default true).' },
      timeout: durationSchema('How long the node may take to boot (default 10m).'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'local',
  plan(_args, ctx) {
    const node = nodeOf(ctx, 'power.on');
    return [describePower(node, 'on', ctx.ports.shell.quote), { summary: `wait until ${node.name} answers on SSH port ${node.ssh.port}` }];
  },
  async check(_args, ctx) {
    const node = nodeOf(ctx, 'power.on');
    return (await sshAnswers(ctx, node)) ? { satisfied: true, detail: `${node.name} answers on SSH` } : { satisfied: false, detail: `${node.name} does not answer on SSH` };
  },
  startsNode(_args, target) {
    return target.type === 'node' ? target.node.name : undefined;
  },
  async guard(_args, ctx) {
    guardManual(ctx, nodeOf(ctx, 'power.on'), 'on');
  },
  async run(args, ctx) {
    const node = nodeOf(ctx, 'power.on');
    await switchPower(ctx, node, 'on');
    if (args.wait !== false) await waitSsh(ctx, node, true, durationMs(args.timeout, 10 * 60_000));
    return { node: node.name, power: 'on' };
  },
});
