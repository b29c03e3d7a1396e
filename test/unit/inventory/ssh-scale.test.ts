/**
 * The SSH settings for many hosts: `defaults.ssh.kex` and `defaults.ssh.max_connections` reach every node
 * and its SSH target (a node's own `kex` wins); absent, they stay unset so the pool's defaults apply.
 */
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';
import { sshTargetOf } from '../../../engine/io/ssh/target.js';

const TEXT = `cluster: many
defaults:
  ssh: { kex: [curve25519-sha256, ecdh-sha2-nistp256], max_connections: 32 }
nodes:
  - { name: n1, address: 10.0.0.1, role: manager }
  - { name: n2, address: 10.0.0.2, role: worker, ssh: { kex: [ecdh-sha2-nistp256] } }
`;

describe('ssh.kex and ssh.max_connections', () => {
  test('defaults reach every node and its SSH target', () => {
    const r = loadInventory('inventory/many.yaml', TEXT);
    expect(r.diagnostics).toEqual([]);
    const [n1, n2] = r.value?.nodes ?? [];
    expect(n1?.ssh).toMatchObject({ kex: ['curve25519-sha256', 'ecdh-sha2-nistp256'], maxConnections: 32 });
    expect(n2?.ssh).toMatchObject({ kex: ['ecdh-sha2-nistp256'], maxConnections: 32 });
    expect(sshTargetOf(n1!, '/nonexistent/ssh_config')).toMatchObject({ kex: ['curve25519-sha256', 'ecdh-sha2-nistp256'], maxConnections: 32 });
  });

  test('absent, the target carries neither', () => {
    const r = loadInventory('inventory/few.yaml', 'cluster: few\nnodes:\n  - { name: n1, address: 10.0.0.1, role: manager }\n');
    const target = sshTargetOf(r.value!.nodes[0]!, '/nonexistent/ssh_config');
    expect(target).not.toHaveProperty('kex');
    expect(target).not.toHaveProperty('maxConnections');
  });
});
