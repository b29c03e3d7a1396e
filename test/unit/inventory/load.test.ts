import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';

const TEXT = `# yaml-language-server: $schema=../engine/dsl/schema/inventory.schema.json
cluster: dccn
defaults:
  ssh:    { user: admin, identity: ~/.ssh/id_ed25519, known_hosts: keys/known_hosts }
  power:  { off: ssh-poweroff, on: manual }
nodes:
  - { name: dccn-c001, address: 10.0.0.1, role: manager, labels: { function: production, rack: 3 } }
  - name: dccn-c005
    address: 10.0.0.5
    role: worker
    ssh: { port: 2222, host_key: accept-new }
    docker: { host: "tcp://10.0.0.5:2375", tls: false }
    power: { on: "ipmitool -H c005-bmc chassis power on" }
  - { name: dccn-c006, address: 10.0.0.6, role: worker, docker: { via: ssh } }
groups:
  registry: [dccn-c001, dccn-c001]
stacks:
  - { name: registry, compose: /mnt/docker/registry.yml, health: "http://dccn-c001:5000/v2/" }
  - { name: stager, compose: stacks/stager.yml }
`;

describe('loadInventory', () => {
  test('normalizes defaults, overrides, paths and groups', () => {
    const file = resolve('inventory/test.yaml');
    const result = loadInventory('inventory/test.yaml', TEXT);
    expect(result.diagnostics).toEqual([]);
    const inv = result.value;
    expect(inv?.cluster).toBe('dccn');
    expect(inv?.file).toBe(file);
    expect(inv?.hash).toBe(createHash('sha256').update(TEXT).digest('hex'));
    expect(inv?.nodes[0]).toEqual({
      name: 'dccn-c001',
      address: '10.0.0.1',
      role: 'manager',
      labels: { function: 'production', rack: '3' },
      ssh: {
        user: 'admin',
        port: 22,
        identity: join(homedir(), '.ssh/id_ed25519'),
        knownHosts: join(dirname(file), 'keys/known_hosts'),
        hostKey: 'strict',
      },
      docker: { type: 'socket', socket: '/var/run/docker.sock' },
      power: { off: 'ssh-poweroff', on: 'manual' },
      source: { file, line: 7, col: 5 },
    });
    expect(inv?.nodes[1]).toMatchObject({
      ssh: { user: 'admin', port: 2222, hostKey: 'accept-new' },
      docker: { type: 'tcp', host: 'tcp://10.0.0.5:2375' },
      power: { off: 'ssh-poweroff', on: 'ipmitool -H c005-bmc chassis power on' },
    });
    expect(inv?.nodes[2]?.docker).toEqual({ type: 'ssh' });
    expect(inv?.groups).toEqual({
      all: ['dccn-c001', 'dccn-c005', 'dccn-c006'],
      managers: ['dccn-c001'],
      workers: ['dccn-c005', 'dccn-c006'],
      registry: ['dccn-c001'],
    });
    expect(inv?.stacks).toEqual([
      { name: 'registry', compose: '/mnt/docker/registry.yml', health: 'http://dccn-c001:5000/v2/' },
      { name: 'stager', compose: join(dirname(file), 'stacks/stager.yml') },
    ]);
  });

  test('built-in defaults when nothing is set', () => {
    const result = loadInventory('i.yaml', 'cluster: lab\nnodes: [{ name: n1, address: 10.1.0.1, role: worker }]\n');
    expect(result.value?.nodes[0]).toMatchObject({
      ssh: { user: 'root', port: 22, hostKey: 'strict' },
      docker: { type: 'socket', socket: '/var/run/docker.sock' },
      power: { off: 'ssh-poweroff', on: 'manual' },
      labels: {},
    });
    expect(result.value?.nodes[0]?.ssh).not.toHaveProperty('identity');
  });

  test('a group named like a node loads with a warning', () => {
    const result = loadInventory(
      'i.yaml',
      'cluster: lab\nnodes: [{ name: n1, address: 10.1.0.1, role: worker }]\ngroups: { n1: [n1] }\n',
    );
    expect(result.value?.groups['n1']).toEqual(['n1']);
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.source.line}:${d.source.col}`)).toEqual([
      'warning RB_BAD_VALUE 3:11',
    ]);
  });

  describe('a default docker host with {address} and {node}', () => {
    const cluster = (defaults: string, nodes: string) => `cluster: lab\ndefaults:\n  docker: ${defaults}\nnodes:\n${nodes}`;
    const three =
      '  - { name: c1, address: 10.0.0.1, role: manager }\n' +
      '  - { name: c2, address: "fd00::2", role: worker }\n' +
      '  - { name: c3, address: 10.0.0.3, role: worker, docker: { via: ssh } }\n';

    test("reaches each node's own daemon; a node's docker still replaces it", () => {
      const result = loadInventory('i.yaml', cluster('{ host: "tcp://{address}:2376", tls: false }', three));
      expect(result.diagnostics).toEqual([]);
      expect(result.value?.nodes.map((n) => n.docker)).toEqual([
        { type: 'tcp', host: 'tcp://10.0.0.1:2376' },
        { type: 'tcp', host: 'tcp://[fd00::2]:2376' },
        { type: 'ssh' },
      ]);
    });

    test('{node} is the node name', () => {
      const result = loadInventory('i.yaml', cluster('{ host: "tcp://{node}.lan:2376", tls: false }', three));
      expect(result.value?.nodes[0]?.docker).toEqual({ type: 'tcp', host: 'tcp://c1.lan:2376' });
    });

    test('plain TCP to the remote nodes is refused once, at the default, whatever the number of nodes', () => {
      const result = loadInventory('i.yaml', cluster('{ host: "tcp://{address}:2375" }', three));
      expect(result.value).toBeUndefined();
      expect(result.diagnostics.map((d) => `${d.code} ${d.source.line}:${d.source.col}`)).toEqual(['RB_INV_PLAIN_TCP 3:19']);
      expect(result.diagnostics[0]?.message).toContain('tcp://10.0.0.1:2375');
    });

    test('a node on loopback may take plain TCP from the same default', () => {
      const result = loadInventory('i.yaml', cluster('{ host: "tcp://{address}:2375" }', '  - { name: c1, address: 127.0.0.1, role: manager }\n'));
      expect(result.diagnostics).toEqual([]);
      expect(result.value?.nodes[0]?.docker).toEqual({ type: 'tcp', host: 'tcp://127.0.0.1:2375' });
    });
  });
});
