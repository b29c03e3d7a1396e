/**
 * `docker.node.rm`: remove a node's entry from the swarm. A node that is still Ready needs `force`; a
 * manager still in Raft must be demoted first (swarm refuses otherwise), and the runner's quorum gate
 * judges it as a demotion. `id` removes one entry when a name is ambiguous (a stale Down entry).
 */
import { RunbookError } from '../../../errors.js';
import { defineAction } from '../../define.js';
import type { ActionContext, PlanLine } from '../../define.js';
import type { SwarmNode } from '../swarm-types.js';
import { entriesFor, lookupNode } from '../cluster.js';
import { NODE_FIELD } from '../fields.js';
import { planSubject, readNodes } from '../live-nodes.js';
import { apiNode } from '../target.js';

export interface NodeRmWith {
  node?: string;
  id?: string;
  force?: boolean;
}

function label(args: NodeRmWith): string {
  return args.node ?? args.id ?? '?';
}

function find(nodes: readonly SwarmNode[], args: NodeRmWith, ctx: ActionContext): SwarmNode[] {
  if (args.id !== undefined) return nodes.filter((n) => n.ID === args.id);
  return entriesFor(nodes, args.node ?? '', ctx.inventory);
}

function one(nodes: readonly SwarmNode[], args: NodeRmWith, ctx: ActionContext): SwarmNode {
  if (args.id !== undefined) {
    const found = find(nodes, args, ctx)[0];
    if (found === undefined) throw new RunbookError('NOT_FOUND', `no swarm node has ID ${args.id}`);
    return found;
  }
  return lookupNode(nodes, args.node ?? '', ctx.inventory);
}

export const dockerNodeRm = defineAction<NodeRmWith>({
  name: 'docker.node.rm',
  description: 'Remove a node from the swarm’s node list (DELETE /nodes/<id>); Ready nodes need force, managers a demotion first.',
  with: {
    type: 'object',
    additionalProperties: false,
    anyOf: [{ required: ['node'] }, { required: ['id'] }],
    properties: {
      node: NODE_FIELD,
      id: { type: 'string', description: 'The node ID, to remove one of several entries with the same hostname.' },
      force: { type: 'boolean', description: 'Remove a node that is not Down (its tasks are orphaned).' },
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  async plan(args, ctx) {
    const api = apiNode(ctx, 'docker.node.rm');
    const name = label(args);
    const subject = args.id === undefined ? await planSubject(ctx, api, name) : { type: 'unknown' as const, problem: 'by id' };
    const id = args.id ?? (subject.type === 'known' ? subject.subject.ID : `<id of ${name}>`);
    const lines: PlanLine[] = [{ summary: `remove ${name} from the swarm`, call: `DELETE /nodes/${id}?force=${args.force === true}` }];
    if (subject.type === 'known') {
      lines.push({ summary: `${name} now: ${subject.subject.Status?.State ?? 'unknown'}, role ${subject.subject.Spec.Role}` });
    } else if (args.id === undefined) {
      lines.push({ summary: `live state unknown now: ${subject.problem}` });
    }
    return lines;
  },
  async check(args, ctx) {
    const found = find(await readNodes(ctx, apiNode(ctx, 'docker.node.rm')), args, ctx);
    return found.length === 0
      ? { satisfied: true, detail: `${label(args)} is not in the swarm` }
      : { satisfied: false, detail: `${label(args)} is in the swarm (${found.map((n) => n.ID).join(', ')})` };
  },
  quorumEffect(args) {
    return { node: label(args), kind: 'demote' };
  },
  async run(args, ctx) {
    const api = apiNode(ctx, 'docker.node.rm');
    const subject = one(await readNodes(ctx, api), args, ctx);
    if (subject.ManagerStatus !== undefined && subject.ManagerStatus !== null) {
      throw new RunbookError('STEP_FAILED', `${label(args)} is a manager in Raft: demote it first (docker.node.demote), then remove it`);
    }
    await ctx.ports.docker.request(api.target, { method: 'DELETE', path: `/nodes/${encodeURIComponent(subject.ID)}`, query: { force: args.force === true } }, ctx.signal);
    return { node_id: subject.ID, removed: true };
  },
});
