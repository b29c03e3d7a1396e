/**
 * `docker.swarm.leave`: the target node leaves the swarm (its task containers go with it; its entry
 * stays on the managers as Down until `docker.node.rm`). A manager's daemon only leaves with `force`,
 * and the runner's quorum gate asks first whether the remaining managers keep a majority.
 */
import { defineAction } from '../../define.js';
import { engineInfo } from '../cluster.js';
import { apiNode } from '../target.js';

export interface SwarmLeaveWith {
  force?: boolean;
}

export const dockerSwarmLeave = defineAction<SwarmLeaveWith>({
  name: 'docker.swarm.leave',
  description: 'Make the target node leave the swarm (POST /swarm/leave); a manager needs force and passes the quorum guard.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      force: { type: 'boolean', description: 'Leave even as a manager (keeps M, loses its vote: demote first instead where possible).' },
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    return [{ summary: `${self.node.name} leaves the swarm (its task containers are removed)`, call: `POST /swarm/leave?force=${args.force === true}` }];
  },
  quorumEffect(_args, target) {
    return target.type === 'node' ? { node: target.node.name, kind: 'stop' } : undefined;
  },
  async check(_args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    const state = (await engineInfo(ctx.ports.docker, self.target, ctx.signal)).Swarm?.LocalNodeState ?? '';
    return state === '' || state === 'inactive'
      ? { satisfied: true, detail: `${self.node.name} is in no swarm` }
      : { satisfied: false, detail: `${self.node.name} is ${state} in a swarm` };
  },
  async run(args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    await ctx.ports.docker.request(self.target, { method: 'POST', path: '/swarm/leave', query: { force: args.force === true }, timeoutMs: 60_000 }, ctx.signal);
    const state = (await engineInfo(ctx.ports.docker, self.target, ctx.signal)).Swarm?.LocalNodeState ?? '';
    return { swarm_state: state === '' ? 'inactive' : state };
  },
});
