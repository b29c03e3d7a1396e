/**
 * An Ansible inventory → the written form of a native inventory, with the positions of its parts in the
 * Ansible file (so the native checks name Ansible lines). Hosts become nodes in file order; groups other
 * than `all`, `ungrouped`, `managers` and `workers` become native groups with all their hosts (children's
 * included); `swarm_cluster` under the `all` group's vars names the cluster, else the file's name does.
 */
import { basename, extname } from 'node:path';
import { diagnostic } from '../../dsl/diagnostics.js';
import type { Diagnostic, Loaded, SourceRef } from '../../dsl/diagnostics.js';
import { fileStart } from '../../dsl/positions.js';
import type { InventoryPositions, WrittenInventory, WrittenNode } from '../normalize.js';
import { groupGraph } from './groups.js';
import { nodeSettings, type Unfollowed } from './host-vars.js';
import { formatName } from './model.js';
import type { AnsibleInventory } from './model.js';
import { ROLE_GROUPS, swarmRole } from './role.js';

export interface Converted {
  readonly written: WrittenInventory;
  readonly positions: InventoryPositions;
}

/** Groups Ansible has of its own, which say nothing about the cluster. */
const ANSIBLE_GROUPS = ['all', 'ungrouped'];

export function ansibleToNative(inv: AnsibleInventory): Loaded<Converted> {
  const prefix = formatName(inv.format);
  const diagnostics: Diagnostic[] = [];
  if (inv.hosts.size === 0) {
    const hint = inv.format === 'INI' ? 'list hosts one per line under [managers] and [workers]' : 'list hosts under `hosts:` of the `managers:` and `workers:` groups';
    return { diagnostics: [diagnostic('RB_INV_ANSIBLE_SYNTAX', fileStart(inv.file), `${prefix}: no hosts`, hint)] };
  }
  const { graph, diagnostics: graphProblems } = groupGraph(inv);
  if (graph === undefined) return { diagnostics: graphProblems };
  const cluster = clusterName(inv, diagnostics);
  const nodes: WrittenNode[] = [];
  const nodeSources: SourceRef[] = [];
  const unfollowed = new Map<string, { first: Unfollowed; places: Set<string> }>();
  for (const host of inv.hosts.values()) {
    const vars = graph.varsOf(host.name);
    const role = swarmRole(inv.format, host, vars, graph.contains);
    if (role.diagnostic !== undefined) diagnostics.push(role.diagnostic);
    const read = nodeSettings(inv.format, host.name, vars);
    diagnostics.push(...read.diagnostics);
    for (const u of read.unfollowed) {
      const seen = unfollowed.get(u.name) ?? { first: u, places: new Set<string>() };
      seen.places.add(`${u.at.source.line}:${u.at.source.col}`);
      unfollowed.set(u.name, seen);
    }
    if (role.role === undefined || read.settings === undefined) continue;
    const { address, ssh, docker, labels } = read.settings;
    nodes.push({
      name: host.name,
      address,
      role: role.role,
      ...(labels === undefined ? {} : { labels }),
      ...(Object.keys(ssh).length === 0 ? {} : { ssh }),
      ...(docker === undefined ? {} : { docker }),
    });
    nodeSources.push(host.source);
  }
  for (const { first, places } of unfollowed.values()) {
    const more = places.size > 1 ? ` (also in ${places.size - 1} more place${places.size > 2 ? 's' : ''})` : '';
    diagnostics.push({
      ...diagnostic('RB_INV_ANSIBLE_VAR', first.at.source, `${prefix}: ${first.what}${more}`, first.hint),
      severity: 'warning',
    });
  }
  const groups: Record<string, string[]> = {};
  const groupSources = new Map<string, SourceRef>();
  for (const [name, group] of inv.groups) {
    if (ANSIBLE_GROUPS.includes(name) || name in ROLE_GROUPS) continue;
    groups[name] = [...(graph.members.get(name) ?? [])];
    groupSources.set(name, group.source);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const written: WrittenInventory = { cluster, nodes, ...(Object.keys(groups).length === 0 ? {} : { groups }) };
  const at = (path: readonly (string | number)[]): SourceRef => {
    const [top, key] = path;
    if (top === 'nodes' && typeof key === 'number') return nodeSources[key] ?? fileStart(inv.file);
    if (top === 'groups' && typeof key === 'string') return groupSources.get(key) ?? fileStart(inv.file);
    return fileStart(inv.file);
  };
  return { value: { written, positions: { file: inv.file, at, atKey: at } }, diagnostics };
}

/** `swarm_cluster` of the `all` group; set anywhere else it would differ from host to host, so it is refused there. */
function clusterName(inv: AnsibleInventory, diagnostics: Diagnostic[]): string {
  const fallback = basename(inv.file, extname(inv.file)) || 'cluster';
  const hint = inv.format === 'INI' ? 'set it once, under [all:vars]' : 'set it once, under `all:` → `vars:`';
  const elsewhere = [
    ...[...inv.groups.values()].filter((g) => g.name !== 'all').map((g) => g.vars.get('swarm_cluster')),
    ...[...inv.hosts.values()].map((h) => h.vars.get('swarm_cluster')),
  ].find((v) => v !== undefined);
  if (elsewhere !== undefined) {
    diagnostics.push(diagnostic('RB_INV_ANSIBLE_VAR', elsewhere.source, `${formatName(inv.format)}: swarm_cluster names the whole cluster`, hint));
  }
  const v = inv.groups.get('all')?.vars.get('swarm_cluster');
  if (v === undefined) return fallback;
  const name = typeof v.value === 'string' || typeof v.value === 'number' ? String(v.value).trim() : '';
  if (name === '') diagnostics.push(diagnostic('RB_INV_ANSIBLE_VAR', v.source, `${formatName(inv.format)}: swarm_cluster is empty`, 'write swarm_cluster=NAME'));
  return name;
}
