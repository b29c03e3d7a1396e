/**
 * What `runbook inventory import` prints is a native inventory that loads to the same inventory as the
 * Ansible file it came from (apart from the file itself and where things are written).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadInventory, readInventory } from '../../../../engine/inventory/load.js';
import { printInventory } from '../../../../engine/inventory/print.js';
import type { Inventory } from '../../../../engine/inventory/types.js';

function comparable(inv: Inventory | undefined): unknown {
  if (inv === undefined) return undefined;
  return { ...inv, file: undefined, hash: undefined, nodes: inv.nodes.map((n) => ({ ...n, source: undefined })) };
}

const INI = `[all:vars]
swarm_cluster=dccn
ansible_user=ops
ansible_ssh_private_key_file=keys/id_ed25519
ansible_ssh_common_args='-o UserKnownHostsFile=keys/known_hosts'
[managers]
c00[1:3] docker_host=unix:///run/docker.sock
[workers]
c004 ansible_port=2222 swarm_labels="{function: test}"
c005 ansible_host=10.0.0.5 docker_host=ssh://c005
[gpu:children]
workers
`;

const YAML = `all:
  children:
    managers:
      hosts: { m1: { ansible_host: 10.1.0.1 } }
    workers:
      hosts:
        w[1:2]:
          ansible_user: admin
          docker_host: tcp://127.0.0.1:2375
`;

describe('inventory import round trip', () => {
  test.each([
    ['hosts', INI],
    ['hosts.yml', YAML],
  ])('%s', (name, text) => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-import-'));
    writeFileSync(join(dir, name), text);
    const ansible = readInventory(join(dir, name));
    expect(ansible.diagnostics).toEqual([]);
    expect(ansible.value?.format).toMatch(/^ansible-/);
    const printed = printInventory(ansible.value?.written ?? { cluster: '', nodes: [] }, ['converted']);
    writeFileSync(join(dir, 'native.yaml'), printed);
    const native = loadInventory(join(dir, 'native.yaml'));
    expect(native.diagnostics).toEqual([]);
    expect(comparable(native.value)).toEqual(comparable(ansible.value?.inventory));
    expect(printed.startsWith('# converted\n')).toBe(true);
  });

  test('shared settings move to defaults; differing ones stay with their node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-import-'));
    writeFileSync(join(dir, 'hosts'), INI);
    const printed = printInventory(readInventory(join(dir, 'hosts')).value?.written ?? { cluster: '', nodes: [] });
    expect(printed).toContain('ssh: { user: ops, identity: keys/id_ed25519, known_hosts: keys/known_hosts }');
    expect(printed).toContain('- { name: c004, address: c004, role: worker, labels: { function: test }, ssh: { port: 2222 } }');
    expect(printed).toContain('docker: { via: ssh }');
  });
});
