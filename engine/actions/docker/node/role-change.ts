/**
 * `docker.node.promote` and `docker.node.demote`: one definition for both role changes. The role is set
 * by a read-modify-write of the node's spec, then the change is awaited: a promotion is done when the
 * node is a reachable Raft member, a demotion when it has left Raft (role worker, no ManagerStatus) and the
 * node holds a worker certificate.
 * Change one node at a time: two promotions in quick succession can leave one unreachable. A demotion
 * passes the runner's quorum gate first; demote unreachable managers before reachable ones.
 */
import { defineAction, type ActionDefinition } from '../../define.js';
import { lookupNode } from '../cluster.js';
import { durationMs } from '../../poll.js';
import { NODE_FIELD, TIMEOUT_FIELD } from '../fields.js';
import { readNodes } from '../live-nodes.js';
import { applyNodeChange, planNodeChange } from './update.js';
import { hasRole } from './role.js';
import { holdsManagerCertificate } from './worker-certificate.js';
import { apiNode } from '../target.js';

export interface RoleChangeWith {
  node: string;
  timeout?: string;
}

function roleChange(change: 'promote' | 'demote'): ActionDefinition<RoleChangeWith> {
  const name = `docker.node.${change}`;
  const role = change === 'promote' ? 'manager' : 'worker';
  const goal = role === 'manager' ? 'a reachable manager' : 'a worker outside Raft';
  return defineAction<RoleChangeWith>(
    {
      name,
      description:
        change === 'promote'
          ? 'Promote a node to manager and wait until it is a reachable Raft member.'
          : 'Demote a manager to worker (quorum guard) and wait until it has left Raft.',
      with: {
        type: 'object',
        additionalProperties: false,
        required: ['node'],
        properties: { node: NODE_FIELD, timeout: TIMEOUT_FIELD },
      },
      mutating: true,
      idempotent: true,
      defaultTarget: 'manager',
    },
    {
      plan(args, ctx) {
        return planNodeChange(ctx, name, args.node, { role }, `${change} ${args.node} to ${role}`);
      },
      async check(args, ctx) {
        const node = lookupNode(await readNodes(ctx, apiNode(ctx, name)), args.node, ctx.inventory);
        if (!hasRole(node, role)) return { satisfied: false, detail: `${args.node} is not ${goal}` };
        if (role === 'worker' && (await holdsManagerCertificate(ctx, args.node))) {
          return { satisfied: false, detail: `${args.node} is ${goal} but still holds a manager certificate` };
        }
        return { satisfied: true, detail: `${args.node} is already ${goal}` };
      },
      ...(change === 'demote' ? { quorumEffect: (args: RoleChangeWith) => ({ node: args.node, kind: 'demote' as const }) } : {}),
      run(args, ctx) {
        return applyNodeChange(ctx, name, args.node, { role }, durationMs(args.timeout, 60_000));
      },
    },
  );
}

export const dockerNodePromote = roleChange('promote');
export const dockerNodeDemote = roleChange('demote');
