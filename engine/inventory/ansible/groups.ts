/**
 * The group graph of an Ansible inventory: which hosts a group holds through its children (transitively),
 * and which value of a variable wins for a host — as Ansible decides it: `all` first, then the host's groups
 * from the shallowest to the deepest (parents before children, by name at one depth), then the host's own
 * variables. A cycle of children is an error.
 */
import { diagnostic } from '../../dsl/diagnostics.js';
import type { Diagnostic } from '../../dsl/diagnostics.js';
import { formatName } from './model.js';
import type { AnsibleInventory, AnsibleVar } from './model.js';

export interface GroupGraph {
  /** Every group's hosts, its children's included, in the inventory's host order. */
  readonly members: ReadonlyMap<string, readonly string[]>;
  /** True when `host` is in `group`, directly or through its children. */
  contains(group: string, host: string): boolean;
  /** A host's variables with the winning value of each. */
  varsOf(host: string): ReadonlyMap<string, AnsibleVar>;
}

export function groupGraph(inv: AnsibleInventory): { graph?: GroupGraph; diagnostics: Diagnostic[] } {
  const cycle = findCycle(inv);
  if (cycle !== undefined) return { diagnostics: [cycle] };
  const order = [...inv.hosts.keys()];
  const direct = new Map<string, Set<string>>();
  const collect = (name: string): Set<string> => {
    const known = direct.get(name);
    if (known !== undefined) return known;
    const group = inv.groups.get(name);
    const set = new Set<string>(group?.hosts ?? []);
    for (const child of group?.children ?? []) for (const h of collect(child.name)) set.add(h);
    direct.set(name, set);
    return set;
  };
  const members = new Map<string, readonly string[]>();
  for (const name of inv.groups.keys()) {
    const set = name === 'all' ? new Set(order) : collect(name);
    members.set(name, order.filter((h) => set.has(h)));
  }
  const depths = groupDepths(inv);
  const ranked = [...inv.groups.keys()]
    .filter((g) => g !== 'all')
    .sort((a, b) => (depths.get(a) ?? 1) - (depths.get(b) ?? 1) || (a < b ? -1 : a > b ? 1 : 0));
  const varsOf = (host: string): ReadonlyMap<string, AnsibleVar> => {
    const out = new Map(inv.groups.get('all')?.vars ?? []);
    for (const g of ranked) {
      if (!collect(g).has(host)) continue;
      for (const [k, v] of inv.groups.get(g)?.vars ?? []) out.set(k, v);
    }
    for (const [k, v] of inv.hosts.get(host)?.vars ?? []) out.set(k, v);
    return out;
  };
  const contains = (group: string, host: string): boolean => group === 'all' ? inv.hosts.has(host) : inv.groups.has(group) && collect(group).has(host);
  return { graph: { members, contains, varsOf }, diagnostics: [] };
}

/** A group's depth: 1 below `all` for a top-level group, one more than its deepest parent otherwise. */
function groupDepths(inv: AnsibleInventory): Map<string, number> {
  const parents = new Map<string, string[]>();
  for (const group of inv.groups.values()) {
    for (const child of group.children) parents.set(child.name, [...(parents.get(child.name) ?? []), group.name]);
  }
  const depths = new Map<string, number>([['all', 0]]);
  const depth = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    const above = (parents.get(name) ?? []).filter((p) => p !== 'all');
    const d = above.length === 0 ? 1 : 1 + Math.max(...above.map(depth));
    depths.set(name, d);
    return d;
  };
  for (const name of inv.groups.keys()) depth(name);
  return depths;
}

function findCycle(inv: AnsibleInventory): Diagnostic | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): Diagnostic | undefined => {
    state.set(name, 'visiting');
    path.push(name);
    for (const child of inv.groups.get(name)?.children ?? []) {
      const seen = state.get(child.name);
      if (seen === 'visiting') {
        const loop = [...path.slice(path.indexOf(child.name)), child.name].join(' → ');
        return diagnostic(
          'RB_INV_ANSIBLE_GROUP',
          child.source,
          `${formatName(inv.format)}: groups contain each other (${loop})`,
          `remove "${child.name}" from the children of "${name}"`,
        );
      }
      if (seen === undefined) {
        const found = visit(child.name);
        if (found !== undefined) return found;
      }
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of inv.groups.keys()) {
    if (state.get(name) !== undefined) continue;
    const found = visit(name);
    if (found !== undefined) return found;
  }
  return undefined;
}
