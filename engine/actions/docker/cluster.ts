/**
 * Live swarm state: a manager that answers, the leader, a node looked up by its inventory name, and
 * node updates done the way swarm wants them (the whole spec, the current version, retried when
 * another writer got there first).
 */
import { isDeepStrictEqual } from 'node:util';
import { describeError, RunbookError } from '../../errors.js';
import { dockerTargetOf } from '../../io/docker/target.js';
import type { Inventory, InventoryNode } from '../../inventory/types.js';
import type { DockerPort, DockerTarget } from '../../io/ports.js';
import { daemonMessageOf } from '../../io/docker/errors.js';
import type { ActionContext } from '../define.js';
import type { EngineInfo, NodeSpec, SwarmNode } from './swarm-types.js';

/** How long a manager may take to answer `GET /nodes` before the next one is tried. */
const PROBE_TIMEOUT_MS = 8_000;

export function listNodes(docker: DockerPort, target: DockerTarget, signal: AbortSignal, timeoutMs?: number): Promise<SwarmNode[]> {
  return docker.request<SwarmNode[]>(target, { method: 'GET', path: '/nodes', ...(timeoutMs === undefined ? {} : { timeoutMs }) }, signal);
}

export function engineInfo(docker: DockerPort, target: DockerTarget, signal: AbortSignal, timeoutMs?: number): Promise<EngineInfo> {
  return docker.request<EngineInfo>(target, { method: 'GET', path: '/info', ...(timeoutMs === undefined ? {} : { timeoutMs }) }, signal);
}

/** A manager that answered, and the node list it answered with. */
export interface LiveManager {
  readonly node: InventoryNode;
  readonly target: DockerTarget;
  readonly nodes: readonly SwarmNode[];
}

export interface FindManagerOptions {
  /** Inventory nodes not to ask (e.g. the one being demoted). */
  readonly exclude?: readonly string[];
  /** An inventory node to ask first (the one that answered last time). */
  readonly prefer?: string;
  readonly probeTimeoutMs?: number;
}

/**
 * The first manager, in inventory order, whose `GET /nodes` answers. Nodes the inventory lists as
 * workers are asked last: one may have been promoted since the inventory was written.
 */
export async function findManager(
  inventory: Inventory,
  docker: DockerPort,
  signal: AbortSignal,
  options: FindManagerOptions = {},
): Promise<LiveManager> {
  const exclude = new Set(options.exclude ?? []);
  const candidates = [
    ...inventory.nodes.filter((n) => n.name === options.prefer),
    ...inventory.nodes.filter((n) => n.role === 'manager' && n.name !== options.prefer),
    ...inventory.nodes.filter((n) => n.role !== 'manager' && n.name !== options.prefer),
  ].filter((n) => !exclude.has(n.name));
  const failures: string[] = [];
  for (const node of candidates) {
    const target = dockerTargetOf(node);
    try {
      const nodes = await listNodes(docker, target, signal, options.probeTimeoutMs ?? PROBE_TIMEOUT_MS);
      return { node, target, nodes };
    } catch (e) {
      if (e instanceof RunbookError && e.code === 'ABORTED') throw e;
      if (node.role === 'manager') failures.push(describeError(e));
    }
  }
  const tried = failures.length === 0 ? 'no manager in the inventory' : failures.join('; ');
  throw new RunbookError('UNREACHABLE', `no manager of cluster ${inventory.cluster} answers GET /nodes: ${tried}`, { retryable: true });
}

function hostOf(addr: string | undefined): string | undefined {
  if (addr === undefined || addr === '') return undefined;
  const m = /^\[?([^\]]+?)\]?(?::\d+)?$/.exec(addr);
  const host = m?.[1] ?? addr;
  return host === '0.0.0.0' || host === '::' ? undefined : host;
}

/** The addresses a swarm node is known by: the one its manager status gives, and the one it connects from. */
export function addressesOf(n: SwarmNode): string[] {
  return [hostOf(n.ManagerStatus?.Addr ?? undefined), hostOf(n.Status?.Addr)].filter((a): a is string => a !== undefined);
}

/** The inventory node a swarm node is: by hostname, then by address. */
export function inventoryNodeFor(inventory: Inventory, n: SwarmNode): InventoryNode | undefined {
  const hostname = n.Description?.Hostname;
  const byName = inventory.nodes.find((i) => i.name === hostname);
  if (byName !== undefined) return byName;
  const addresses = addressesOf(n);
  return inventory.nodes.find((i) => addresses.includes(i.address));
}

function describeEntry(n: SwarmNode): string {
  const role = n.ManagerStatus === undefined || n.ManagerStatus === null ? n.Spec.Role : `manager, ${n.ManagerStatus.Reachability ?? 'unknown'}`;
  return `${n.ID} (${n.Status?.State ?? 'unknown'}, ${role})`;
}

/** Every swarm entry that could be `name`: by hostname, else by the inventory address, else by ID. */
export function entriesFor(nodes: readonly SwarmNode[], name: string, inventory: Inventory | undefined): SwarmNode[] {
  const byHostname = nodes.filter((n) => n.Description?.Hostname === name);
  if (byHostname.length > 0) return byHostname;
  const address = inventory?.nodes.find((i) => i.name === name)?.address;
  if (address !== undefined) {
    const byAddress = nodes.filter((n) => addressesOf(n).includes(address));
    if (byAddress.length > 0) return byAddress;
  }
  return nodes.filter((n) => n.ID === name);
}

/**
 * The one swarm node `name` names. Stale entries (a node that left and joined again keeps its old,
 * Down entry) make a name ambiguous: then nothing is guessed and the entries are listed.
 */
export function lookupNode(nodes: readonly SwarmNode[], name: string, inventory: Inventory | undefined): SwarmNode {
  const found = entriesFor(nodes, name, inventory);
  if (found.length === 1) return found[0] as SwarmNode;
  if (found.length === 0) {
    const known = nodes.map((n) => n.Description?.Hostname ?? n.ID).join(', ');
    throw new RunbookError('NOT_FOUND', `${name} is not a node of the swarm (nodes: ${known || 'none'})`);
  }
  const stale = found.filter((n) => n.Status?.State === 'down').map((n) => n.ID);
  throw new RunbookError(
    'STEP_FAILED',
    `${name} names ${found.length} swarm nodes: ${found.map(describeEntry).join(', ')}` +
      (stale.length > 0 ? `; remove the stale Down entr${stale.length === 1 ? 'y' : 'ies'} first (docker.node.rm with id: ${stale.join(', ')})` : ''),
  );
}

/** The node that is the Raft leader, mapped back to the inventory. */
export function leaderOf(inventory: Inventory, nodes: readonly SwarmNode[]): InventoryNode {
  const leader = nodes.find((n) => n.ManagerStatus?.Leader === true);
  if (leader === undefined) {
    throw new RunbookError('UNREACHABLE', `the swarm of cluster ${inventory.cluster} has no leader (quorum lost?)`, { retryable: true });
  }
  const node = inventoryNodeFor(inventory, leader);
  if (node === undefined) {
    const hostname = leader.Description?.Hostname ?? leader.ID;
    throw new RunbookError('NOT_FOUND', `the leader ${hostname} (${addressesOf(leader).join(', ')}) is not in the inventory of cluster ${inventory.cluster}`);
  }
  return node;
}

export function inspectNode(ctx: ActionContext, target: DockerTarget, id: string): Promise<SwarmNode> {
  return ctx.ports.docker.request<SwarmNode>(target, { method: 'GET', path: `/nodes/${encodeURIComponent(id)}` }, ctx.signal);
}

export interface NodeUpdateResult {
  readonly changed: boolean;
  readonly node: SwarmNode;
}

const ATTEMPTS = 6;

/**
 * Read-modify-write of a node's spec: `change` gets the whole current spec and returns the whole new
 * one, sent with the version it was read at. When another writer got there first ("update out of
 * sequence") the node is read again and `change` applied again.
 */
export async function updateNode(
  ctx: ActionContext,
  target: DockerTarget,
  id: string,
  change: (spec: NodeSpec) => NodeSpec,
): Promise<NodeUpdateResult> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await inspectNode(ctx, target, id);
    const next = change(current.Spec);
    if (isDeepStrictEqual(normalized(current.Spec), normalized(next))) return { changed: false, node: current };
    try {
      await ctx.ports.docker.request(
        target,
        { method: 'POST', path: `/nodes/${encodeURIComponent(id)}/update`, query: { version: current.Version.Index }, body: next },
        ctx.signal,
      );
      return { changed: true, node: await inspectNode(ctx, target, id) };
    } catch (e) {
      if (attempt >= ATTEMPTS || !/update out of sequence/i.test(daemonMessageOf(e))) throw e;
      ctx.log('info', `${current.Description?.Hostname ?? id}: node changed while being updated; reading it again (attempt ${attempt + 1})`);
      await ctx.ports.clock.sleep(100 * attempt, ctx.signal);
    }
  }
}

function normalized(spec: NodeSpec): NodeSpec {
  return { ...spec, Labels: spec.Labels ?? {} };
}
