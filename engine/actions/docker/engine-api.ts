/**
 * The Engine API of the node a step runs on, bound to the step's signal. Actions read and write
 * swarm objects through this, never through a client library.
 */
import { RunbookError } from '../../errors.js';
import { dockerTargetOf } from '../../io/docker/target.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { DockerRequest } from '../../io/ports.js';
import type { ActionContext } from '../define.js';

/** One node's Engine API: `get` for reads, `send` for anything else. */
export interface EngineApi {
  /** The node's name, for messages. */
  readonly node: string;
  get<T>(path: string, query?: DockerRequest['query']): Promise<T>;
  send<T>(method: DockerRequest['method'], path: string, options?: Omit<DockerRequest, 'method' | 'path'>): Promise<T>;
}

export function nodeOf(ctx: ActionContext, action: string): InventoryNode {
  if (ctx.target.type !== 'node') {
    throw new RunbookError('INVALID', `${action} runs on a node: give the step \`on:\` a node, group or \`manager\``);
  }
  return ctx.target.node;
}

export function engineApiOf(ctx: ActionContext, node: InventoryNode, signal: AbortSignal = ctx.signal): EngineApi {
  const docker = ctx.ports.docker;
  const target = dockerTargetOf(node);
  return {
    node: node.name,
    get: (path, query) => docker.request(target, { method: 'GET', path, ...(query === undefined ? {} : { query }) }, signal),
    send: (method, path, options = {}) => docker.request(target, { method, path, ...options }, signal),
  };
}

/** The Engine API of the step's target node. */
export function engineApi(ctx: ActionContext, action: string): EngineApi {
  return engineApiOf(ctx, nodeOf(ctx, action));
}

/** Docker's `filters` query value: a JSON map of lists. */
export function filters(map: Readonly<Record<string, readonly string[] | undefined>>): string {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(map)) if (v !== undefined && v.length > 0) out[k] = [...v];
  return JSON.stringify(out);
}
