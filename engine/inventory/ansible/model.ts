/**
 * What an Ansible inventory says, whichever way it is written (INI or YAML): hosts with their variables,
 * groups with hosts, child groups and variables — each with where it is written, so later checks can name
 * the line. Both parsers produce this; `to-native.ts` turns it into a native inventory.
 */
import type { SourceRef } from '../../dsl/diagnostics.js';
import { fileStart } from '../../dsl/positions.js';

export type AnsibleFormat = 'INI' | 'YAML';

/** One variable as written: its value (a string in INI, any YAML value in YAML) and where. */
export interface AnsibleVar {
  readonly value: unknown;
  readonly source: SourceRef;
}

export type AnsibleVars = Map<string, AnsibleVar>;

export interface AnsibleHost {
  readonly name: string;
  /** Where the host is first written. */
  readonly source: SourceRef;
  /** Host variables, merged in file order (a later line wins). */
  readonly vars: AnsibleVars;
}

export interface AnsibleGroup {
  readonly name: string;
  readonly source: SourceRef;
  /** Hosts listed directly in the group, in file order (a set: a host listed twice is in it once). */
  readonly hosts: Set<string>;
  /** Child groups, in file order. */
  readonly children: Array<{ readonly name: string; readonly source: SourceRef }>;
  readonly vars: AnsibleVars;
}

export interface AnsibleInventory {
  readonly format: AnsibleFormat;
  readonly file: string;
  /** In the order they first appear. */
  readonly hosts: Map<string, AnsibleHost>;
  /** Including `all`, which every host belongs to. */
  readonly groups: Map<string, AnsibleGroup>;
}

/** An empty inventory holding only the group `all`. */
export function emptyInventory(format: AnsibleFormat, file: string): AnsibleInventory {
  const groups = new Map<string, AnsibleGroup>();
  groups.set('all', { name: 'all', source: fileStart(file), hosts: new Set(), children: [], vars: new Map() });
  return { format, file, hosts: new Map(), groups };
}

/** The group `name`, created (at `source`) when the inventory does not have it yet. */
export function groupOf(inv: AnsibleInventory, name: string, source: SourceRef): AnsibleGroup {
  let group = inv.groups.get(name);
  if (group === undefined) {
    group = { name, source, hosts: new Set(), children: [], vars: new Map() };
    inv.groups.set(name, group);
  }
  return group;
}

/** Adds `name` to `group` (once), creating the host when new, and merges `vars` into its host variables. */
export function addHost(inv: AnsibleInventory, group: AnsibleGroup, name: string, source: SourceRef, vars: AnsibleVars): void {
  let host = inv.hosts.get(name);
  if (host === undefined) {
    host = { name, source, vars: new Map() };
    inv.hosts.set(name, host);
  }
  for (const [k, v] of vars) host.vars.set(k, v);
  group.hosts.add(name);
}

/** The prefix of every message about an Ansible inventory, naming the format detected. */
export function formatName(format: AnsibleFormat): string {
  return `Ansible ${format} inventory`;
}
