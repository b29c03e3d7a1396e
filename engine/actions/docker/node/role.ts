/**
 * Role changes take effect asynchronously: a promotion is done when the node is a reachable Raft
 * member, a demotion when its ManagerStatus is gone and its role reads worker (the leader's role
 * manager removes the member later, and never while that would cost the quorum).
 */
import type { ActionContext } from '../../define.js';
import type { SwarmNode } from '../swarm-types.js';
import { lookupNode } from '../cluster.js';
import { readNodes } from '../live-nodes.js';
import { DOCKER_TRANSIENT, pollUntil } from '../../poll.js';
import type { ApiNode } from '../target.js';

export function hasRole(node: SwarmNode, role: 'manager' | 'worker'): boolean {
  const member = node.ManagerStatus !== undefined && node.ManagerStatus !== null;
  return role === 'manager'
    ? node.Spec.Role === 'manager' && member && node.ManagerStatus?.Reachability === 'reachable'
    : node.Spec.Role === 'worker' && !member;
}

function describeRole(node: SwarmNode): string {
  const member = node.ManagerStatus === undefined || node.ManagerStatus === null ? 'not a Raft member' : `Raft member, ${node.ManagerStatus.Reachability ?? 'unknown'}`;
  return `role ${node.Spec.Role}, ${member}`;
}

export async function waitRole(ctx: ActionContext, api: ApiNode, name: string, role: 'manager' | 'worker', timeoutMs: number): Promise<SwarmNode> {
  const what = `${name} to be a ${role === 'manager' ? 'reachable manager' : 'worker outside Raft'}`;
  const node = await pollUntil(ctx, { what, timeoutMs, tolerate: DOCKER_TRANSIENT }, async () => {
    // A demoted node stops answering GET /nodes: ask another manager then.
    const nodes = await readNodes(ctx, api, role === 'worker' ? name : undefined);
    const current = lookupNode(nodes, name, ctx.inventory);
    return hasRole(current, role) ? { done: true, value: current } : { done: false, waiting: describeRole(current) };
  });
  return node as SwarmNode;
}
