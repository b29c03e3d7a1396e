/**
 * Ansible's YAML inventory format: top-level keys are groups (usually just `all`); a group is a mapping of
 * `hosts` (host → its variables), `children` (group → the same shape again) and `vars`. Host names may hold
 * ranges like `node[1:3]`. Every problem comes back with its line and column; nothing is thrown.
 */
import { diagnostic } from '../../dsl/diagnostics.js';
import type { Diagnostic, Loaded, SourceRef } from '../../dsl/diagnostics.js';
import { parseYaml } from '../../dsl/load.js';
import { lazyRef, refAt, refAtKey } from '../../dsl/positions.js';
import type { DataPath } from '../../dsl/positions.js';
import { didYouMean } from '../../dsl/rules/closest.js';
import { addHost, emptyInventory, formatName, groupOf } from './model.js';
import type { AnsibleGroup, AnsibleInventory, AnsibleVars } from './model.js';
import { expandHostPattern } from './ranges.js';

const PREFIX = formatName('YAML');
const GROUP_KEYS = ['hosts', 'children', 'vars'];

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kind(value: unknown): string {
  return Array.isArray(value) ? 'a list' : typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** Parses a YAML inventory; the value is present only when there is no error. */
export function parseYamlInventory(file: string, text: string): Loaded<AnsibleInventory> {
  const parsed = parseYaml(file, text);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const { source, data } = parsed.value;
  const inv = emptyInventory('YAML', source.file);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const key = (path: DataPath): SourceRef => lazyRef(source.file, () => refAtKey(source, path));
  const problem = (ref: SourceRef, message: string, hint: string) =>
    diagnostics.push(diagnostic('RB_INV_ANSIBLE_SYNTAX', ref, `${PREFIX}: ${message}`, hint));

  const readVars = (value: unknown, path: DataPath, into: AnsibleVars): void => {
    if (value === null || value === undefined) return;
    if (!isMapping(value)) {
      problem(refAt(source, path), `the variables at ${path.join('.')} are ${kind(value)}, not a mapping`, 'write `name: value` pairs, one per line');
      return;
    }
    for (const [name, v] of Object.entries(value)) into.set(name, { value: v, source: key([...path, name]) });
  };

  const readGroup = (group: AnsibleGroup, value: unknown, path: DataPath): void => {
    if (value === null || value === undefined) return;
    if (!isMapping(value)) {
      problem(refAt(source, path), `group "${group.name}" is ${kind(value)}, not a mapping`, 'give a group `hosts:`, `children:` or `vars:`');
      return;
    }
    for (const k of Object.keys(value)) {
      if (GROUP_KEYS.includes(k)) continue;
      problem(key([...path, k]), `group "${group.name}" has "${k}", which is not hosts, children or vars`, didYouMean(k, GROUP_KEYS) ?? 'put hosts under `hosts:` and sub-groups under `children:`');
    }
    readHosts(group, value['hosts'], [...path, 'hosts']);
    readVars(value['vars'], [...path, 'vars'], group.vars);
    const children = value['children'];
    if (children === null || children === undefined) return;
    if (!isMapping(children)) {
      problem(refAt(source, [...path, 'children']), `the children of "${group.name}" are ${kind(children)}, not a mapping`, 'write each child group as `name:` on its own line, with its own hosts:, children: or vars:');
      return;
    }
    for (const [name, def] of Object.entries(children)) {
      const at = key([...path, 'children', name]);
      group.children.push({ name, source: at });
      readGroup(groupOf(inv, name, at), def, [...path, 'children', name]);
    }
  };

  const readHosts = (group: AnsibleGroup, hosts: unknown, path: DataPath): void => {
    if (hosts === null || hosts === undefined) return;
    if (!isMapping(hosts)) {
      problem(refAt(source, path), `the hosts of "${group.name}" are ${kind(hosts)}, not a mapping`, 'write each host as `name:` on its own line (`node1:`), with its variables indented below');
      return;
    }
    for (const [pattern, vars] of Object.entries(hosts)) {
      const at = key([...path, pattern]);
      const own: AnsibleVars = new Map();
      readVars(vars, [...path, pattern], own);
      const expanded = expandHostPattern(pattern);
      if ('problem' in expanded) problem(at, expanded.problem, expanded.hint);
      else for (const host of expanded.hosts) addHost(inv, group, host, at, own);
    }
  };

  for (const [name, def] of Object.entries(data)) readGroup(groupOf(inv, name, key([name])), def, [name]);
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { value: inv, diagnostics };
}
