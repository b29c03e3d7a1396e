/**
 * `docker.swarm.leave`: the target node leaves the swarm (its task containers go with it; its entry
 * stays on the managers as Down until `docker.node.rm`). A manager's daemon only leaves with `force`,
 * and the quorum guard asks first whether the remaining managers keep a majority.
 */
import { describeError, RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';
import { describeFigures } from '../../graph/quorum.js';
import type { ActionContext, PlanLine } from '../define.js';
import { engineInfo, findManager, listNodes, lookupNode } from './cluster.js';
import { enforce, quorumPlanLine, verdictFor } from './guard.js';
import { apiNode, type ApiNode } from './target.js';
import type { SwarmNode } from './api-types.js';

export interface SwarmLeaveWith {
  force?: boolean;
}

/**
 * The node list of the swarm the node manages: its own answer first (it may manage a swarm the
 * inventory's other managers are not part of), else another manager's, if the node is on its list.
 */
async function managerView(ctx: ActionContext, self: ApiNode, nodeId: string): Promise<readonly SwarmNode[]> {
  try {
    return await listNodes(ctx.ports.docker, self.target, ctx.signal, 8_000);
  } catch (e) {
    if (ctx.inventory === undefined || (e instanceof RunbookError && e.code === 'ABORTED')) throw e;
    const live = await findManager(ctx.inventory, ctx.ports.docker, ctx.signal, { exclude: [self.node.name] });
    if (!live.nodes.some((n) => n.ID === nodeId)) throw e;
    return live.nodes;
  }
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
  async plan(args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    const lines: PlanLine[] = [{ summary: `${self.node.name} leaves the swarm (its task containers are removed)`, call: `POST /swarm/leave?force=${args.force === true}` }];
    try {
      const info = await engineInfo(ctx.ports.docker, self.target, ctx.signal);
      if (info.Swarm?.ControlAvailable === true) {
        const nodes = await managerView(ctx, self, info.Swarm.NodeID ?? '');
        const subject = nodes.find((n) => n.ID === info.Swarm?.NodeID) ?? lookupNode(nodes, self.node.name, ctx.inventory);
        lines.push(quorumPlanLine(ctx, verdictFor(nodes, subject, self.node.name, 'stop'), self.node.name));
      }
    } catch (e) {
      lines.push({ summary: `quorum: cannot read live state now (${describeError(e)})` });
    }
    return lines;
  },
  async check(_args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    const state = (await engineInfo(ctx.ports.docker, self.target, ctx.signal)).Swarm?.LocalNodeState ?? '';
    return state === '' || state === 'inactive'
      ? { satisfied: true, detail: `${self.node.name} is in no swarm` }
      : { satisfied: false, detail: `${self.node.name} is ${state} in a swarm` };
  },
  async guard(_args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    const info = await engineInfo(ctx.ports.docker, self.target, ctx.signal);
    if (info.Swarm?.ControlAvailable !== true) return;
    const nodes = await managerView(ctx, self, info.Swarm.NodeID ?? '');
    const subject = nodes.find((n) => n.ID === info.Swarm?.NodeID) ?? lookupNode(nodes, self.node.name, ctx.inventory);
    const verdict = verdictFor(nodes, subject, self.node.name, 'stop');
    if (verdict !== undefined) ctx.log('info', `quorum now ${describeFigures(verdict.before)}; ${verdict.explanation}`);
    enforce(ctx, verdict);
  },
  async run(args, ctx) {
    const self = apiNode(ctx, 'docker.swarm.leave');
    await ctx.ports.docker.request(self.target, { method: 'POST', path: '/swarm/leave', query: { force: args.force === true }, timeoutMs: 60_000 }, ctx.signal);
    const state = (await engineInfo(ctx.ports.docker, self.target, ctx.signal)).Swarm?.LocalNodeState ?? '';
    return { swarm_state: state === '' ? 'inactive' : state };
  },
});
