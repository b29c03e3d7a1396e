/**
 * Reading `GET /nodes` for an action, also while the node the call was sent to stops being a manager
 * or goes down (demote, power off): then another manager of the inventory is asked.
 */
import { describeError, RunbookError } from '../../errors.js';
import type { ActionContext } from '../define.js';
import type { SwarmNode } from './swarm-types.js';
import { findManager, listNodes, lookupNode } from './cluster.js';
import type { ApiNode } from './target.js';

/**
 * The node list from `api`, or from another manager when `api` is `avoid` (the node the action is
 * changing) or does not answer.
 */
export async function readNodes(ctx: ActionContext, api: ApiNode, avoid?: string): Promise<readonly SwarmNode[]> {
  const inventory = ctx.inventory;
  if (inventory !== undefined && avoid !== undefined && api.node.name === avoid) {
    return (await findManager(inventory, ctx.ports.docker, ctx.signal, { exclude: [avoid] })).nodes;
  }
  try {
    return await listNodes(ctx.ports.docker, api.target, ctx.signal);
  } catch (e) {
    if (inventory === undefined || !(e instanceof RunbookError) || e.code === 'ABORTED' || e.code === 'DRY_RUN_WRITE') throw e;
    ctx.log('info', `${api.node.name} does not answer (${describeError(e)}); asking another manager`);
    return (await findManager(inventory, ctx.ports.docker, ctx.signal, { exclude: [api.node.name] })).nodes;
  }
}

/** What a plan can tell about the node an action is about, from live state. */
export type PlanSubject =
  | { readonly type: 'known'; readonly nodes: readonly SwarmNode[]; readonly subject: SwarmNode }
  | { readonly type: 'unknown'; readonly problem: string };

export async function planSubject(ctx: ActionContext, api: ApiNode, name: string): Promise<PlanSubject> {
  if (name.includes('<output of ')) return { type: 'unknown', problem: `${name} is known at run time` };
  try {
    const nodes = await listNodes(ctx.ports.docker, api.target, ctx.signal);
    return { type: 'known', nodes, subject: lookupNode(nodes, name, ctx.inventory) };
  } catch (e) {
    return { type: 'unknown', problem: describeError(e) };
  }
}

/** `POST /nodes/<id>/update?version=<n>` as the plan shows it, with placeholders when state is unknown. */
export function updateCall(subject: PlanSubject, name: string, body: Readonly<Record<string, unknown>>): string {
  const id = subject.type === 'known' ? subject.subject.ID : `<id of ${name}>`;
  const version = subject.type === 'known' ? String(subject.subject.Version.Index) : '<current>';
  return `POST /nodes/${id}/update?version=${version} ${JSON.stringify(body)}`;
}
