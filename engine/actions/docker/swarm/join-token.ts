/**
 * `docker.swarm.join-token`: the worker or manager join token from `GET /swarm`, and the managers'
 * addresses to join through. The token is a credential: it is always masked and never journaled.
 */
import { defineAction } from '../../define.js';
import type { SwarmInspect } from '../swarm-types.js';
import { listNodes } from '../cluster.js';
import { apiNode } from '../target.js';

export interface JoinTokenWith {
  role?: 'worker' | 'manager';
}

export const dockerSwarmJoinToken = defineAction<JoinTokenWith>({
  name: 'docker.swarm.join-token',
  description: 'Read the swarm’s join token for workers or managers; `token` is always secret.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      role: { type: 'string', enum: ['worker', 'manager'], description: 'Which token (default worker).' },
    },
  },
  secretOutputs: ['token'],
  mutating: false,
  planReads: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.join-token');
    const role = args.role ?? 'worker';
    return [
      { summary: `read the ${role} join token from ${api.node.name} (output token: secret)`, call: `GET /swarm → JoinTokens.${role === 'worker' ? 'Worker' : 'Manager'}` },
      { summary: 'read the reachable managers’ addresses (output manager_addrs)', call: 'GET /nodes' },
    ];
  },
  async run(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.join-token');
    const role = args.role ?? 'worker';
    const swarm = await ctx.ports.docker.request<SwarmInspect>(api.target, { method: 'GET', path: '/swarm' }, ctx.signal);
    const nodes = await listNodes(ctx.ports.docker, api.target, ctx.signal);
    const managerAddrs = nodes
      .filter((n) => n.ManagerStatus?.Reachability === 'reachable' && typeof n.ManagerStatus.Addr === 'string')
      .map((n) => n.ManagerStatus?.Addr as string);
    return {
      token: role === 'worker' ? swarm.JoinTokens.Worker : swarm.JoinTokens.Manager,
      role,
      cluster_id: swarm.ID,
      manager_addrs: managerAddrs,
    };
  },
});
