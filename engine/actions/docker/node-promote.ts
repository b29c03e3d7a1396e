/**
 * `docker.node.promote`: make a node a manager and wait until it is a reachable Raft member.
 * Promote one node at a time: two promotions in quick succession can leave one unreachable.
 */
import { defineAction } from '../define.js';
import { lookupNode } from './cluster.js';
import { durationMs } from '../poll.js';
import { NODE_FIELD, TIMEOUT_FIELD } from './fields.js';
import { readNodes } from './live-nodes.js';
import { applyNodeChange, planNodeChange } from './node-update.js';
import { hasRole } from './role.js';
import { apiNode } from './target.js';

export interface NodePromoteWith {
  node: string;
  timeout?: string;
}

export const dockerNodePromote = defineAction<NodePromoteWith>({
  name: 'docker.node.promote',
  description: 'Promote a node to manager and wait until it is a reachable Raft member.',
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
    return planNodeChange(ctx, 'docker.node.promote', args.node, { role: 'manager' }, `promote ${args.node} to manager`);
  },
  async check(args, ctx) {
    const node = lookupNode(await readNodes(ctx, apiNode(ctx, 'docker.node.promote')), args.node, ctx.inventory);
    return hasRole(node, 'manager')
      ? { satisfied: true, detail: `${args.node} is already a reachable manager` }
      : { satisfied: false, detail: `${args.node} is not a reachable manager` };
  },
  run(args, ctx) {
    return applyNodeChange(ctx, 'docker.node.promote', args.node, { role: 'manager' }, durationMs(args.timeout, 60_000));
  },
});
