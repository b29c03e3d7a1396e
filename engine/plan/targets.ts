/**
 * `on:` → the nodes a step runs on. Names resolve against nodes first, then groups; `local` is the
 * machine running runbook. `manager` and `leader` need live state: the caller passes a resolver.
 */
import type { Target } from '../io/ports.js';
import { RunbookError } from '../errors.js';
import type { Inventory, InventoryNode, NodeName } from '../inventory/types.js';

export interface ResolvedTargets {
  readonly targets: readonly Target[];
  /** True when `on:` names a group, a list or an expression: outputs are then keyed by node. */
  readonly multi: boolean;
}

/** Picks a live manager (`manager`: any reachable one; `leader`: the Raft leader). */
export type LiveManagerResolver = (kind: 'manager' | 'leader') => Promise<InventoryNode>;

const LOCAL: Target = { type: 'local' };

export function targetName(target: Target): string {
  return target.type === 'local' ? 'local' : target.node.name;
}

function nodeTarget(node: InventoryNode): Target {
  return { type: 'node', node };
}

function need(inventory: Inventory | undefined, what: string): Inventory {
  if (inventory === undefined) {
    throw new RunbookError('INVALID', `on: ${what} needs an inventory; pass -i FILE or set RUNBOOK_INVENTORY`);
  }
  return inventory;
}

function byName(inventory: Inventory, name: string): readonly InventoryNode[] | undefined {
  const node = inventory.nodes.find((n) => n.name === name);
  if (node !== undefined) return [node];
  const group = inventory.groups[name];
  if (group === undefined) return undefined;
  return group.map((member) => inventory.nodes.find((n) => n.name === member) as InventoryNode);
}

function nameOf(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry !== null && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
    return (entry as { name: string }).name;
  }
  return undefined;
}

export async function resolveTargets(
  on: unknown,
  wasExpression: boolean,
  inventory: Inventory | undefined,
  live: LiveManagerResolver | undefined,
): Promise<ResolvedTargets> {
  if (on === undefined || on === 'local') return { targets: [LOCAL], multi: false };
  if (on === 'manager' || on === 'leader') {
    const inv = need(inventory, on);
    if (live !== undefined) return { targets: [nodeTarget(await live(on))], multi: false };
    const first = inv.nodes.find((n) => n.role === 'manager');
    if (first === undefined) throw new RunbookError('INVALID', `on: ${on}: the inventory has no manager`);
    return { targets: [nodeTarget(first)], multi: false };
  }
  const entries = Array.isArray(on) ? on : [on];
  const seen = new Set<NodeName>();
  const targets: Target[] = [];
  let multi = Array.isArray(on) || wasExpression;
  for (const entry of entries) {
    const name = nameOf(entry);
    if (name === undefined) {
      throw new RunbookError('INVALID', `on: ${JSON.stringify(entry)} is not a node or group name`);
    }
    if (name === 'local') {
      targets.push(LOCAL);
      continue;
    }
    const inv = need(inventory, name);
    const nodes = byName(inv, name);
    if (nodes === undefined) {
      const known = [...inv.nodes.map((n) => n.name), ...Object.keys(inv.groups)].join(', ');
      throw new RunbookError('INVALID', `on: "${name}" is neither a node nor a group of cluster ${inv.cluster}; known: ${known}`);
    }
    if (inv.groups[name] !== undefined && inv.nodes.every((n) => n.name !== name)) multi = true;
    for (const node of nodes) {
      if (!seen.has(node.name)) {
        seen.add(node.name);
        targets.push(nodeTarget(node));
      }
    }
  }
  return { targets, multi };
}
