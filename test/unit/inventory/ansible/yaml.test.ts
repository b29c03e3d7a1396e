/**
 * Ansible YAML inventories through `loadInventory`: `all` with hosts, vars and nested children, ranges in
 * host names, several top-level groups, and errors at the key they are about.
 */
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../../engine/inventory/load.js';
import type { Diagnostic } from '../../../../engine/dsl/diagnostics.js';

const FILE = '/srv/ops/hosts.yml';

function where(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.source.line}:${d.source.col} ${d.severity} ${d.code}`);
}

const HOSTS = `all:
  vars:
    swarm_cluster: dccn
    ansible_user: ops
  hosts:
    c001:
      ansible_host: 10.0.0.1
      swarm_role: manager
  children:
    swarm:
      children:
        managers:
          hosts:
            c00[2:3]:
        workers:
          vars:
            ansible_port: 2222
          hosts:
            c004: { ansible_host: 10.0.0.4, swarm_labels: { function: production, rack: 3 } }
            c005:
              ansible_port: 22
    registry:
      hosts:
        c001:
`;

describe('Ansible YAML inventory', () => {
  test('hosts, vars and children at any depth become nodes and groups', () => {
    const r = loadInventory(FILE, HOSTS);
    expect(r.diagnostics).toEqual([]);
    const inv = r.value;
    expect(inv?.cluster).toBe('dccn');
    expect(inv?.nodes.map((n) => [n.name, n.address, n.role, n.ssh.user, n.ssh.port])).toEqual([
      ['c001', '10.0.0.1', 'manager', 'ops', 22],
      ['c002', 'c002', 'manager', 'ops', 22],
      ['c003', 'c003', 'manager', 'ops', 22],
      ['c004', '10.0.0.4', 'worker', 'ops', 2222],
      ['c005', 'c005', 'worker', 'ops', 22],
    ]);
    expect(inv?.nodes[3]?.labels).toEqual({ function: 'production', rack: '3' });
    expect(inv?.groups['swarm']).toEqual(['c002', 'c003', 'c004', 'c005']);
    expect(inv?.groups['registry']).toEqual(['c001']);
    expect(inv?.groups['managers']).toEqual(['c001', 'c002', 'c003']);
    expect(inv?.nodes[1]?.source).toMatchObject({ line: 14, col: 13 });
  });

  test('top-level groups without `all`', () => {
    const r = loadInventory(FILE, 'managers:\n  hosts:\n    m1:\nworkers:\n  hosts:\n    w1:\n    w2:\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.groups['workers']).toEqual(['w1', 'w2']);
    expect(r.value?.cluster).toBe('hosts');
  });
});

describe('Ansible YAML inventory errors name the line and column', () => {
  test.each([
    ['a misspelt group key', 'all:\n  host:\n    n1:\n', ['2:3 error RB_INV_ANSIBLE_SYNTAX'], 'did you mean "hosts"'],
    ['hosts as a list', 'all:\n  children:\n    managers:\n      hosts: [n1, n2]\n', ['4:14 error RB_INV_ANSIBLE_SYNTAX'], 'on its own line'],
    ['host vars as a list', 'managers:\n  hosts:\n    n1: [a]\n', ['3:9 error RB_INV_ANSIBLE_SYNTAX'], 'name: value'],
    ['a bad range', 'managers:\n  hosts:\n    n[1:x]:\n', ['3:5 error RB_INV_ANSIBLE_SYNTAX'], 'START:END'],
    ['a bad port', 'managers:\n  hosts:\n    n1:\n      ansible_port: [22]\n', ['4:7 error RB_INV_ANSIBLE_VAR'], '1 to 65535'],
    ['no role', 'all:\n  hosts:\n    n1:\n', ['3:5 error RB_INV_ANSIBLE_ROLE'], 'swarm_role: manager'],
    ['a role against the group', 'workers:\n  vars: { swarm_role: manager }\n  hosts: { n1: }\n', ['2:11 error RB_INV_ANSIBLE_ROLE'], 'remove swarm_role'],
    ['a YAML syntax error', 'all:\n  hosts:\n    n1: { a: 1\n', ['4:1 error RB_YAML_SYNTAX'], '}'],
    ['a cycle of children', 'managers:\n  hosts: { m1: }\na:\n  children:\n    b:\n      children:\n        a:\n', ['7:9 error RB_INV_ANSIBLE_GROUP'], 'remove "a"'],
  ])('%s', (_, text, expected, hint) => {
    const r = loadInventory(FILE, text);
    expect(where(r.diagnostics)).toEqual(expected);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]?.hint).toContain(hint);
  });
});
