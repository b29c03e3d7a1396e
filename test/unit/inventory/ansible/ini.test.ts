/**
 * Ansible INI inventories through `loadInventory`: hosts, groups, children (transitively), variables with
 * Ansible's precedence, ranges, ports, and the native inventory that comes out.
 */
import { homedir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../../engine/inventory/load.js';
import type { Diagnostic } from '../../../../engine/dsl/diagnostics.js';

const FILE = '/srv/ops/inventories/prod.ini';

function where(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.source.line}:${d.source.col} ${d.severity} ${d.code}`);
}

const HOSTS = `# production swarm
[all:vars]
ansible_user=ops
ansible_ssh_private_key_file=~/.ssh/swarm_ed25519
ansible_python_interpreter=/usr/bin/python3

[managers]
c001 ansible_host=10.0.0.1
c00[2:3] ansible_port=2222   ; not a comment here, see below

[gpu]
c004 ansible_host=10.0.0.4 swarm_labels="{function: production, gpu: true}"

[storage]
c005:2200 ansible_host=10.0.0.5

[workers:children]
gpu
storage

[production:children]
managers
workers

[production:vars]
docker_host=unix:///run/docker.sock
`;

describe('Ansible INI inventory', () => {
  test('an inline ";" after a host is not a comment: it is refused where it is written', () => {
    const r = loadInventory(FILE, HOSTS);
    expect(where(r.diagnostics)).toEqual(['9:30 error RB_INV_ANSIBLE_SYNTAX']);
    expect(r.diagnostics[0]?.message).toMatch(/^Ansible INI inventory: "?;"? after host "c00\[2:3\]" is not a variable/);
  });

  test('hosts, ranges, children, group and host variables become nodes and groups', () => {
    const r = loadInventory(FILE, HOSTS.replace('   ; not a comment here, see below', '   # a comment'));
    expect(r.diagnostics).toEqual([]);
    const inv = r.value;
    expect(inv?.cluster).toBe('prod');
    expect(inv?.nodes.map((n) => [n.name, n.address, n.role, n.ssh.port])).toEqual([
      ['c001', '10.0.0.1', 'manager', 22],
      ['c002', 'c002', 'manager', 2222],
      ['c003', 'c003', 'manager', 2222],
      ['c004', '10.0.0.4', 'worker', 22],
      ['c005', '10.0.0.5', 'worker', 2200],
    ]);
    for (const n of inv?.nodes ?? []) {
      expect(n.ssh.user).toBe('ops');
      expect(n.ssh.identity).toBe(`${homedir()}/.ssh/swarm_ed25519`);
      expect(n.docker).toEqual({ type: 'socket', socket: '/run/docker.sock' });
    }
    expect(inv?.nodes[3]?.labels).toEqual({ function: 'production', gpu: 'true' });
    expect(inv?.nodes[0]?.labels).toEqual({});
    expect(inv?.groups).toEqual({
      all: ['c001', 'c002', 'c003', 'c004', 'c005'],
      managers: ['c001', 'c002', 'c003'],
      workers: ['c004', 'c005'],
      gpu: ['c004'],
      storage: ['c005'],
      production: ['c001', 'c002', 'c003', 'c004', 'c005'],
    });
    expect(inv?.nodes[4]?.source).toMatchObject({ line: 15, col: 1 });
  });

  test('a deeper group wins over its parent, a host over its groups, all loses to every group', () => {
    const r = loadInventory(
      FILE,
      `[all:vars]
ansible_user=a
ansible_port=2000
[outer:children]
inner
[outer:vars]
ansible_user=outer
ansible_port=3000
[inner:vars]
ansible_port=4000
[inner]
n1 swarm_role=manager
n2 swarm_role=worker ansible_port=5000
[other]
n3 swarm_role=worker
`,
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.nodes.map((n) => [n.name, n.ssh.user, n.ssh.port])).toEqual([
      ['n1', 'outer', 4000],
      ['n2', 'outer', 5000],
      ['n3', 'a', 2000],
    ]);
    expect(r.value?.groups['outer']).toEqual(['n1', 'n2']);
  });

  test('ungrouped hosts before any section, with the role from swarm_role', () => {
    const r = loadInventory(FILE, 'n1 swarm_role=manager ansible_host=10.1.0.1\nn2 swarm_role=worker\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.nodes.map((n) => `${n.name}=${n.role}`)).toEqual(['n1=manager', 'n2=worker']);
    expect(Object.keys(r.value?.groups ?? {})).toEqual(['all', 'managers', 'workers']);
  });

  test('host:port sets the port, unless the line says ansible_port', () => {
    const r = loadInventory(FILE, '[managers]\nn1:2201\nn2:2202 ansible_port=2302\n');
    expect(r.value?.nodes.map((n) => n.ssh.port)).toEqual([2201, 2302]);
  });

  test('swarm_cluster under [all:vars] names the cluster; elsewhere it is refused', () => {
    const ok = loadInventory(FILE, '[all:vars]\nswarm_cluster=dccn\n[managers]\nn1\n');
    expect(ok.value?.cluster).toBe('dccn');
    const bad = loadInventory(FILE, '[managers]\nn1 swarm_cluster=dccn\n');
    expect(where(bad.diagnostics)).toEqual(['2:4 error RB_INV_ANSIBLE_VAR']);
    expect(bad.diagnostics[0]?.hint).toContain('[all:vars]');
  });

  test('ssh arguments: known_hosts and host key checking are followed, other options warned about', () => {
    const r = loadInventory(
      FILE,
      `[managers]
n1 ansible_ssh_common_args="-o UserKnownHostsFile=keys/known_hosts -o StrictHostKeyChecking=accept-new"
[workers]
n2 ansible_ssh_extra_args="-o ProxyJump=bastion" ansible_password=secret ansible_become=yes
n3 ansible_ssh_extra_args="-o ProxyJump=bastion"
`,
    );
    expect(where(r.diagnostics)).toEqual(['4:4 warning RB_INV_ANSIBLE_VAR', '4:50 warning RB_INV_ANSIBLE_VAR']);
    expect(r.diagnostics[0]?.message).toContain('-o ProxyJump=bastion');
    expect(r.diagnostics[0]?.message).toContain('also in 1 more place');
    expect(r.diagnostics[1]?.message).toContain('ansible_password');
    expect(r.diagnostics.map((d) => d.message).join('\n')).not.toContain('secret');
    expect(r.value?.nodes[0]?.ssh).toEqual({ user: 'root', port: 22, knownHosts: '/srv/ops/inventories/keys/known_hosts', hostKey: 'accept-new' });
    expect(r.value?.nodes[1]?.ssh.hostKey).toBe('strict');
  });

  test('docker_host: unix socket, tcp, or through ssh', () => {
    const r = loadInventory(
      FILE,
      '[managers]\nn1 docker_host=unix:///var/run/d.sock\nn2 docker_host=tcp://127.0.0.1:2375\nn3 docker_host=ssh://root@n3\n',
    );
    expect(r.value?.nodes.map((n) => n.docker)).toEqual([
      { type: 'socket', socket: '/var/run/d.sock' },
      { type: 'tcp', host: 'tcp://127.0.0.1:2375' },
      { type: 'ssh' },
    ]);
    const bad = loadInventory(FILE, '[managers]\nn1 docker_host=/var/run/d.sock\n');
    expect(where(bad.diagnostics)).toEqual(['2:4 error RB_INV_ANSIBLE_VAR']);
    // No place for TLS files in an Ansible inventory: plain TCP to a remote daemon is refused.
    const open = loadInventory(FILE, '[managers]\nn1 docker_host=tcp://10.0.0.2:2375\n');
    expect(where(open.diagnostics)).toEqual(['2:4 error RB_INV_ANSIBLE_VAR']);
    expect(open.diagnostics[0]?.message).toContain('plain TCP to a remote address');
  });

  test('a group with the same name as a host is warned about at its section', () => {
    const r = loadInventory(FILE, '[managers]\nn1\n[n1]\nn1\n');
    expect(where(r.diagnostics)).toEqual(['3:1 warning RB_BAD_VALUE']);
  });
});

describe('Ansible INI inventory errors name the line and column', () => {
  test.each([
    ['section type', '[managers]\nn1\n[x:hostvars]\n', ['3:1 error RB_INV_ANSIBLE_SYNTAX']],
    ['unclosed section', '[managers\nn1\n', ['1:1 error RB_INV_ANSIBLE_SYNTAX']],
    ['vars line without =', '[all:vars]\nansible_user root\n[managers]\nn1\n', ['2:1 error RB_INV_ANSIBLE_SYNTAX']],
    ['two words in children', '[p:children]\nmanagers workers\n[managers]\nn1\n', ['2:1 error RB_INV_ANSIBLE_SYNTAX']],
    ['unclosed quote', '[managers]\nn1 note="two words\n', ['2:9 error RB_INV_ANSIBLE_SYNTAX']],
    ['range counting down', '[managers]\n  n[3:1]\n', ['2:3 error RB_INV_ANSIBLE_SYNTAX']],
    ['range of letters and numbers', '[managers]\nn[a:3]\n', ['2:1 error RB_INV_ANSIBLE_SYNTAX']],
    ['port not a number', '[managers]\nn1 ansible_port=ssh\n', ['2:4 error RB_INV_ANSIBLE_VAR']],
    ['port out of range', '[all:vars]\nansible_port=70000\n[managers]\nn1\n', ['2:1 error RB_INV_ANSIBLE_VAR']],
    ['groups contain each other', '[a:children]\nb\n[b:children]\na\n[managers]\nn1\n', ['4:1 error RB_INV_ANSIBLE_GROUP']],
    ['no hosts', '[managers]\n[workers]\n', ['1:1 error RB_INV_ANSIBLE_SYNTAX']],
    ['no role', '[managers]\nn1\n[web]\nn2\n', ['4:1 error RB_INV_ANSIBLE_ROLE']],
    ['both roles', '[managers]\nn1\n[workers]\nn2\n[gpu]\nn1\n[workers:children]\ngpu\n', ['2:1 error RB_INV_ANSIBLE_ROLE']],
    ['swarm_role against the group', '[managers]\nn1 swarm_role=worker\n', ['2:4 error RB_INV_ANSIBLE_ROLE']],
    ['unknown swarm_role', '[web]\nn1 swarm_role=leader\n', ['2:4 error RB_INV_UNKNOWN_ROLE']],
    ['swarm_labels not a mapping', '[managers]\nn1 swarm_labels=production\n', ['2:4 error RB_INV_ANSIBLE_VAR']],
  ])('%s', (_, text, expected) => {
    const r = loadInventory(FILE, text);
    expect(where(r.diagnostics)).toEqual(expected);
    expect(r.value).toBeUndefined();
    for (const d of r.diagnostics) {
      expect(d.message).toMatch(/^Ansible INI inventory: /);
      expect(d.hint, d.message).toMatch(/\S{3}/);
    }
  });

  test('every problem of the file at once, in file order', () => {
    const r = loadInventory(FILE, '[managers]\nn1 x\n[a:b]\nn2 ansible_port=abc\n');
    expect(where(r.diagnostics)).toEqual(['2:4 error RB_INV_ANSIBLE_SYNTAX', '3:1 error RB_INV_ANSIBLE_SYNTAX']);
  });
});
