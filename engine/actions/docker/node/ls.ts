/**
 * `docker.node.ls`: every swarm node as a manager sees it — name, ID, role in Raft, reachability,
 * leader flag, availability, state, labels — so runbooks can order role changes from live state
 * (demote unreachable managers first). Read-only.
 */
import { describeError, RunbookError } from '../../../errors.js';
import type { Inventory } from '../../../inventory/types.js';
import { defineAction } from '../../define.js';
import type { SwarmNode } from '../swarm-types.js';
import { addressesOf, findManager, inventoryNodeFor, listNodes } from '../cluster.js';
import { apiNode, inventoryOf } from '../target.js';

export interface NodeLsWith {
  /** When no manager answers, succeed with `answered: false` and no nodes instead of failing (`on: local` only). */
  optional?: boolean;
}

/** One node of `docker.node.ls`'s `nodes` output. */
export interface NodeRow {
  /** The inventory name when the node is in the inventory (by hostname, then address), else its hostname. */
  readonly name: string;
  readonly hostname: string;
  readonly id: string;
  readonly in_inventory: boolean;
  /** In Raft now (`ManagerStatus` present), whatever the desired role says. */
  readonly manager: boolean;
  /** `Spec.Role`: the desired role. */
  readonly desired_role: string;
  /** `reachable` / `unreachable` / `unknown` for managers, `''` for workers. */
  readonly reachability: string;
  readonly leader: boolean;
  readonly availability: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  readonly state: string;
  readonly addr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function nodeRow(n: SwarmNode, inventory: Inventory | undefined): NodeRow {
  const known = inventory === undefined ? undefined : inventoryNodeFor(inventory, n);
  const hostname = n.Description?.Hostname ?? n.ID;
  const status = n.ManagerStatus ?? undefined;
  return {
    name: known?.name ?? hostname,
    hostname,
    id: n.ID,
    in_inventory: known !== undefined,
    manager: status !== undefined,
    desired_role: n.Spec.Role,
    reachability: status === undefined ? '' : (status.Reachability ?? 'unknown'),
    leader: status?.Leader === true,
    availability: n.Spec.Availability,
    state: n.Status?.State ?? 'unknown',
    addr: addressesOf(n)[0] ?? '',
    labels: { ...(n.Spec.Labels ?? {}) },
  };
}

/** The outputs of `docker.node.ls`: the rows, and the figures role changes are decided on. */
export function nodeLsOutputs(nodes: readonly SwarmNode[], inventory: Inventory | undefined, via: string): Record<string, unknown> {
  const rows = nodes.map((n) => nodeRow(n, inventory)).sort((a, b) => a.name.localeCompare(b.name));
  const managers = rows.filter((r) => r.manager);
  return {
    answered: true,
    via,
    nodes: rows,
    count: rows.length,
    managers: managers.map((r) => r.name),
    reachable_managers: managers.filter((r) => r.reachability === 'reachable').map((r) => r.name),
    unreachable_managers: managers.filter((r) => r.reachability !== 'reachable').map((r) => r.name),
    leader: rows.find((r) => r.leader)?.name ?? '',
    ready: rows.filter((r) => r.state === 'ready').map((r) => r.name),
    down: rows.filter((r) => r.state !== 'ready').map((r) => r.name),
  };
}

const NOBODY = { answered: false, via: '', nodes: [], count: 0, managers: [], reachable_managers: [], unreachable_managers: [], leader: '', ready: [], down: [] };

export const dockerNodeLs = defineAction<NodeLsWith>({
  name: 'docker.node.ls',
  description: 'List the swarm’s nodes with role, reachability, leader, availability, state and labels (GET /nodes).',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      optional: {
        type: 'boolean',
        description: 'With `on: local`: when no manager of the inventory answers, succeed with `answered: false` instead of failing.',
      },
    },
  },
  mutating: false,
  planReads: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const where = ctx.target.type === 'local' ? 'the first inventory manager that answers' : ctx.target.node.name;
    return [{ summary: `list swarm nodes as ${where} sees them${args.optional === true ? ' (none answering is not an error)' : ''}`, call: 'GET /nodes' }];
  },
  async run(args, ctx) {
    if (ctx.target.type === 'node') {
      if (args.optional === true) throw new RunbookError('INVALID', 'docker.node.ls: `optional` needs `on: local` (any manager of the inventory)');
      const api = apiNode(ctx, 'docker.node.ls');
      return nodeLsOutputs(await listNodes(ctx.ports.docker, api.target, ctx.signal), ctx.inventory, api.node.name);
    }
    const inventory = inventoryOf(ctx, 'docker.node.ls');
    try {
      const found = await findManager(inventory, ctx.ports.docker, ctx.signal);
      return nodeLsOutputs(found.nodes, inventory, found.node.name);
    } catch (e) {
      if (args.optional !== true || !(e instanceof RunbookError) || e.code !== 'UNREACHABLE') throw e;
      ctx.log('info', `no manager answers: ${describeError(e)}`);
      return NOBODY;
    }
  },
});
