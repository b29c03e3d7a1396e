/**
 * The expression context of a run: what `${{ }}` can read. Built once per run and extended per
 * instance with `item` and `target`, so evaluation never copies the whole step output table.
 */
import type { Target } from '../io/ports.js';
import type { Inventory, InventoryNode } from '../inventory/types.js';
import type { ExprContext } from '../expr/evaluate.js';

/** The view of a node that expressions see. */
export function nodeView(node: InventoryNode): Record<string, unknown> {
  return { name: node.name, address: node.address, role: node.role, labels: node.labels };
}

export function inventoryView(inventory: Inventory | undefined): Record<string, unknown> {
  if (inventory === undefined) {
    return { cluster: '', nodes: [], managers: [], workers: [], groups: {}, stacks: [] };
  }
  const nodes = inventory.nodes.map(nodeView);
  return {
    cluster: inventory.cluster,
    nodes,
    managers: nodes.filter((n) => n['role'] === 'manager'),
    workers: nodes.filter((n) => n['role'] === 'worker'),
    groups: Object.fromEntries(Object.entries(inventory.groups).map(([k, v]) => [k, [...v]])),
    stacks: inventory.stacks.map((s) => ({ ...s })),
  };
}

export function targetView(target: Target): Record<string, unknown> {
  return target.type === 'local' ? LOCAL_VIEW : nodeView(target.node);
}

const LOCAL_VIEW: Readonly<Record<string, unknown>> = Object.freeze({ name: 'local', address: '127.0.0.1', role: 'local', labels: Object.freeze({}) });

/** Step outputs as expressions see them: `steps.<id>.outputs`. */
export type StepOutputs = Map<string, { outputs: unknown }>;

export interface BaseContext {
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly steps: Record<string, { outputs: unknown }>;
  readonly inventory: Record<string, unknown>;
  readonly run: { readonly id: string; readonly dir: string };
  readonly env: Readonly<Record<string, string>>;
}

export function baseContext(options: {
  inputs: Readonly<Record<string, unknown>>;
  inventory: Inventory | undefined;
  runId: string;
  runDir: string;
  envAllowList: readonly string[];
  env: NodeJS.ProcessEnv;
}): BaseContext {
  const env: Record<string, string> = {};
  for (const name of options.envAllowList) {
    const value = options.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    inputs: options.inputs,
    steps: {},
    inventory: inventoryView(options.inventory),
    run: { id: options.runId, dir: options.runDir },
    env,
  };
}

export function instanceContext(
  base: BaseContext,
  extra: { item?: unknown; target?: Target; result?: unknown },
): ExprContext {
  // The whole step's context is the base itself: expressions only read it.
  if (extra.item === undefined && extra.target === undefined && extra.result === undefined) return base as unknown as ExprContext;
  const ctx: Record<string, unknown> = { ...base };
  if (extra.item !== undefined) ctx['item'] = extra.item;
  if (extra.target !== undefined) ctx['target'] = targetView(extra.target);
  if (extra.result !== undefined) ctx['result'] = extra.result;
  return ctx;
}
