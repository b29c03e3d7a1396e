/**
 * `docker.node.demote`: make a manager a worker, after the quorum guard, and wait until it has left
 * Raft (ManagerStatus gone, role worker). Demote unreachable managers before reachable ones.
 */
import { defineAction } from '../define.js';
import { lookupNode } from './cluster.js';
import { durationMs } from '../poll.js';
import { NODE_FIELD, TIMEOUT_FIELD } from './fields.js';
import { readNodes } from './live-nodes.js';
import { applyNodeChange, planNodeChange } from './node-update.js';
import { hasRole } from './role.js';
import { apiNode } from './target.js';

export interface NodeDemoteWith {
  node: string;
  timeout?: string;
}

export const dockerNodeDemote = defineAction<NodeDemoteWith>({
  name: 'docker.node.demote',
  description: 'Demote a manager to worker (quorum guard) and wait until it has left Raft.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['node'],
    properties: { node: NODE_FIELD, timeout: TIMEOUT_FIELD },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
  plan(args, ctx) {
    return planNodeChange(ctx, 'docker.node.demote', args.node, { role: 'worker' }, `demote ${args.node} to worker`);
  },
  async check(args, ctx) {
    const node = lookupNode(await readNodes(ctx, apiNode(ctx, 'docker.node.demote')), args.node, ctx.inventory);
    return hasRole(node, 'worker')
      ? { satisfied: true, detail: `${args.node} is already a worker outside Raft` }
      : { satisfied: false, detail: `${args.node} is a manager` };
  },
  quorumEffect(args) {
    return { node: args.node, kind: 'demote' };
  },
  run(args, ctx) {
    return applyNodeChange(ctx, 'docker.node.demote', args.node, { role: 'worker' }, durationMs(args.timeout, 60_000));
  },
});
