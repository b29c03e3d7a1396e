/**
 * The lab's programmatic API; the `runbook lab …` and `runbook drill` commands call exactly these.
 * User mistakes throw RunbookError 'INVALID' with what to write instead; failures carry other codes.
 */
import { existsSync } from 'node:fs';
import { RunbookError } from '../errors.js';
import { tearDown } from './down.js';
import { dockerdOn, power } from './power.js';
import { formatStatus, statusOf } from './status.js';
import type {
  LabDescription,
  LabShapedDescription,
  LabStatusReport,
  LabTarget,
  LabUpOptions,
  LabUpShapedOptions,
} from './types.js';
import { bringUp, MAX_NODES, type NodeSpec } from './up.js';
import type { InventoryStack } from './write-inventory.js';

export type {
  LabDescription,
  LabNodeInfo,
  LabNodeStatus,
  LabShapedDescription,
  LabStatusReport,
  LabTarget,
  LabUpOptions,
  LabUpShapedOptions,
  SwarmNodeView,
  SwarmView,
} from './types.js';

function noop(): void {}

/** Nodes are node1…nodeN; the first `managers` of them are managers. */
export async function labUp(o: LabUpOptions): Promise<LabDescription> {
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > MAX_NODES) {
    throw new RunbookError('INVALID', `--nodes must be a whole number from 1 to ${MAX_NODES}, not ${String(o.nodes)}; write e.g. --nodes 5`);
  }
  if (!Number.isInteger(o.managers) || o.managers < 1 || o.managers > o.nodes) {
    throw new RunbookError(
      'INVALID',
      `--managers must be a whole number from 1 to --nodes (${o.nodes}), not ${String(o.managers)}; write e.g. --managers ${Math.min(3, o.nodes)}`,
    );
  }
  const nodes: NodeSpec[] = Array.from({ length: o.nodes }, (_, i) => ({
    name: `node${i + 1}`,
    role: i < o.managers ? 'manager' : 'worker',
    labels: {},
  }));
  return bringUp({
    target: o,
    nodes,
    swarm: o.swarm,
    registry: o.registry,
    light: o.light === true,
    groups: {},
    stacks: [],
    log: o.log ?? noop,
  });
}

const IMPLICIT_GROUPS = new Set(['all', 'managers', 'workers']);

/**
 * A lab shaped like `inventory`: the same node names, roles, labels (as swarm node labels), groups and stacks.
 * Always a swarm. A stack other than the registry is kept only when its compose file exists here.
 */
export async function labUpShaped(o: LabUpShapedOptions): Promise<LabShapedDescription> {
  const inv = o.inventory;
  const warnings: string[] = [];
  const nodes: NodeSpec[] = inv.nodes.map((n) => ({ name: n.name, role: n.role, labels: { ...n.labels } }));
  const groups = Object.fromEntries(
    Object.entries(inv.groups).filter(([name]) => !IMPLICIT_GROUPS.has(name) && !(o.registry && name === 'registry')),
  );
  const stacks: InventoryStack[] = [];
  for (const s of inv.stacks) {
    if (s.name === 'registry') {
      if (!o.registry) warnings.push('stack registry skipped: the lab was asked for no registry');
      continue;
    }
    if (!existsSync(s.compose)) {
      warnings.push(`stack ${s.name} skipped: its compose file ${s.compose} does not exist here`);
      continue;
    }
    stacks.push({ name: s.name, compose: s.compose, ...(s.health === undefined ? {} : { health: s.health }) });
  }
  const registryNode = inv.groups['registry']?.[0];
  const log = o.log ?? noop;
  for (const w of warnings) log(`warning: ${w}`);
  const description = await bringUp({
    target: o,
    nodes,
    swarm: true,
    registry: o.registry,
    light: false,
    ...(registryNode === undefined ? {} : { registryNode }),
    groups,
    stacks,
    log,
  });
  return { ...description, warnings };
}

/** Removes everything the lab made; safe to repeat and safe after a crashed `labUp`. */
export function labDown(t: LabTarget): Promise<{ removed: string[] }> {
  return tearDown(t);
}

export function labStatus(t: LabTarget): Promise<LabStatusReport> {
  return statusOf(t);
}

export function formatLabStatus(r: LabStatusReport): string {
  return formatStatus(r);
}

export function labPower(t: LabTarget, node: string, state: 'on' | 'off', options?: { hard?: boolean }): Promise<void> {
  return power(t, node, state, options);
}

/** Starts a node's dockerd while the node is on: what `systemctl start docker` does on a lab node. */
export function labDockerdStart(t: LabTarget, node: string): Promise<void> {
  return dockerdOn(t, node);
}
