/**
 * `docker.node.update`: labels (merged or replaced), availability and role of a node, sent as the
 * whole spec with its current version and retried on "update out of sequence". A role change waits
 * until it has taken effect, a demotion until the node holds a worker certificate too; a demotion passes the
 * runner's quorum gate first.
 */
import { defineAction } from '../../define.js';
import type { ActionContext, PlanLine } from '../../define.js';
import { lookupNode, updateNode } from '../cluster.js';
import { describeError, RunbookError } from '../../../errors.js';
import { daemonMessageOf } from '../../../io/docker/errors.js';
import { durationMs, pollUntil } from '../../poll.js';
import { NODE_FIELD, TIMEOUT_FIELD } from '../fields.js';
import { planSubject, readNodes, updateCall } from '../live-nodes.js';
import { desiredSpec, shownFields, type NodeChange } from './spec.js';
import { hasRole, waitRole } from './role.js';
import { holdsManagerCertificate, waitWorkerCertificate } from './worker-certificate.js';
import { apiNode } from '../target.js';
import type { SwarmNode } from '../swarm-types.js';
import { isDeepStrictEqual } from 'node:util';

export interface NodeUpdateWith extends NodeChange {
  node: string;
  timeout?: string;
}

function satisfied(node: SwarmNode, args: NodeUpdateWith): boolean {
  const want = desiredSpec(node.Spec, args);
  const specSame = isDeepStrictEqual({ ...node.Spec, Labels: node.Spec.Labels ?? {} }, want);
  return specSame && (args.role === undefined || hasRole(node, args.role));
}

export function nodeOutputs(node: SwarmNode): Record<string, unknown> {
  return {
    node_id: node.ID,
    version: node.Version.Index,
    role: node.Spec.Role,
    availability: node.Spec.Availability,
    labels: node.Spec.Labels ?? {},
    state: node.Status?.State ?? 'unknown',
    reachability: node.ManagerStatus?.Reachability ?? '',
  };
}

/**
 * The swarm has no leader for a moment, or cannot commit: it lost it during the change (a promotion from one
 * manager to two leaves the leader without a quorum until the newcomer answers), is electing one, or has just
 * grown to two managers and commits nothing until the newcomer has caught up (over 30 s on the loaded lab, in
 * the fault soak). The change is read and sent again until the step's timeout: it is idempotent.
 */

function leaderless(e: unknown): boolean {
  if (!(e instanceof RunbookError)) return false;
  if (e.code === 'UNREACHABLE') return true;
  return /lost leader status|context deadline exceeded|no elected cluster leader|raft: .*leader/i.test(daemonMessageOf(e) || e.message);
}

/** Shared by update, promote and demote: the update, then the wait for a role change. */
export async function applyNodeChange(ctx: ActionContext, action: string, name: string, change: NodeChange, timeoutMs: number): Promise<Record<string, unknown>> {
  const api = apiNode(ctx, action);
  const result = await pollUntil(ctx, { what: `a swarm leader to apply the change to ${name}`, timeoutMs }, async () => {
    try {
      const subject = lookupNode(await readNodes(ctx, api), name, ctx.inventory);
      return { done: true, value: await updateNode(ctx, api.target, subject.ID, (spec) => desiredSpec(spec, change)) };
    } catch (e) {
      if (ctx.signal.aborted || !leaderless(e)) throw e;
      return { done: false, waiting: describeError(e) };
    }
  });
  let node = result.node;
  if (change.role !== undefined && !hasRole(node, change.role)) {
    ctx.log('info', `${name}: role set to ${change.role}; waiting for it to take effect`);
    node = await waitRole(ctx, api, name, change.role, timeoutMs);
  }
  const demoted = change.role === 'worker' ? ctx.inventory?.nodes.find((n) => n.name === name) : undefined;
  if (demoted !== undefined) await waitWorkerCertificate(ctx, demoted, timeoutMs);
  return { ...nodeOutputs(node), changed: result.changed };
}

export async function planNodeChange(ctx: ActionContext, action: string, name: string, change: NodeChange, summary: string): Promise<PlanLine[]> {
  const api = apiNode(ctx, action);
  const subject = await planSubject(ctx, api, name);
  const lines: PlanLine[] = [{ summary, call: updateCall(subject, name, shownFields(change, subject.type === 'known' ? subject.subject.Spec : undefined)) }];
  if (subject.type === 'unknown') {
    lines.push({ summary: `live state unknown now: ${subject.problem}` });
    return lines;
  }
  lines.push({ summary: `${name} now: role ${subject.subject.Spec.Role}, availability ${subject.subject.Spec.Availability}, labels ${JSON.stringify(subject.subject.Spec.Labels ?? {})}` });
  if (change.role !== undefined) lines.push({ summary: `then poll until ${name} is a ${change.role === 'manager' ? 'reachable manager' : 'worker outside Raft'}`, call: 'GET /nodes' });
  return lines;
}

export const dockerNodeUpdate = defineAction<NodeUpdateWith>({
  name: 'docker.node.update',
  description: 'Set a node’s labels, availability or role (POST /nodes/<id>/update with the whole spec and its version).',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['node'],
    properties: {
      node: NODE_FIELD,
      labels: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Labels to set.' },
      labels_mode: { type: 'string', enum: ['merge', 'replace'], description: '`merge` (default) keeps other labels; `replace` keeps only `labels`.' },
      remove_labels: { type: 'array', items: { type: 'string' }, description: 'Label keys to remove.' },
      availability: { type: 'string', enum: ['active', 'pause', 'drain'], description: 'Scheduling availability.' },
      role: { type: 'string', enum: ['manager', 'worker'], description: 'Desired role; waits until it takes effect.' },
      timeout: TIMEOUT_FIELD,
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    return planNodeChange(ctx, 'docker.node.update', args.node, args, `update node ${args.node} (the whole spec, with its current version)`);
  },
  async check(args, ctx) {
    const api = apiNode(ctx, 'docker.node.update');
    const node = lookupNode(await readNodes(ctx, api), args.node, ctx.inventory);
    if (!satisfied(node, args)) return { satisfied: false, detail: `${args.node} differs` };
    if (args.role === 'worker' && (await holdsManagerCertificate(ctx, args.node))) {
      return { satisfied: false, detail: `${args.node} is a worker but still holds a manager certificate` };
    }
    return { satisfied: true, detail: `${args.node} is already as wanted` };
  },
  quorumEffect(args) {
    return args.role === 'worker' ? { node: args.node, kind: 'demote' } : undefined;
  },
  run(args, ctx) {
    return applyNodeChange(ctx, 'docker.node.update', args.node, args, durationMs(args.timeout, 60_000));
  },
});
