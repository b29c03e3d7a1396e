/**
 * Ansible inventories at the command line, without a lab: `-i hosts` (INI) feeds a run its nodes and groups;
 * a bad one stops `run` and `plan` with `file:line:col`, exit 2 and nothing executed; `inventory import`
 * prints a native inventory that `-i` accepts, and refuses a file that is native already. The nodes listed
 * are never contacted: every step is a local shell.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';

const HOSTS = `# the production swarm
[all:vars]
swarm_cluster=ansible-cli
ansible_user=ops

[managers]
c00[1:3]

[workers]
c004 swarm_labels="{function: gpu}"

[gpu:children]
workers
`;

const BAD = `[managers]
c001 ansible_host=192.0.2.1

[workers]
c002

[storage]
c003 ansible_port=two
`;

const RUNBOOK = `
name: groups
steps:
  - id: show
    action: shell
    with: { command: "echo \${{ inventory.cluster }} \${{ inventory.groups.gpu }} \${{ inventory.groups.managers }} > out" }
`;

function noStackTrace(r: CliResult): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('please report');
}

describe('Ansible inventories on the command line', () => {
  it('a run gets the nodes and groups of an INI inventory', async () => {
    const dir = workspace({ hosts: HOSTS, 'rb.yaml': RUNBOOK });
    const r = await runCli(['run', 'rb.yaml', '-i', 'hosts', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8').trim()).toBe('ansible-cli ["c004"] ["c001","c002","c003"]');
  });

  it.each(['run', 'plan'])('%s with a bad INI inventory: exit 2, file:line:col, nothing executed', async (command) => {
    const dir = workspace({ hosts: BAD, 'rb.yaml': RUNBOOK });
    const r = await runCli([command, 'rb.yaml', '-i', 'hosts', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hosts:8:1: error RB_INV_ANSIBLE_ROLE: Ansible INI inventory: host "c003" has no swarm role; list it under [managers] or [workers]');
    expect(r.stderr).toContain('hosts:8:6: error RB_INV_ANSIBLE_VAR: Ansible INI inventory: host "c003": ansible_port is "two", not a port; write ansible_port=PORT');
    expect(r.stderr).toContain(' 8 | c003 ansible_port=two');
    noStackTrace(r);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(existsSync(join(dir, 's'))).toBe(false);
  });

  it('inventory import prints a native inventory that -i takes', async () => {
    const dir = workspace({ hosts: HOSTS, 'rb.yaml': RUNBOOK });
    const imported = await runCli(['inventory', 'import', 'hosts'], { cwd: dir });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('from the Ansible INI inventory hosts.');
    expect(imported.stdout).toContain('cluster: ansible-cli\n');
    expect(imported.stdout).toContain('  - { name: c004, address: c004, role: worker, labels: { function: gpu } }\n');
    expect(imported.stdout).toContain('groups:\n  gpu: [ c004 ]\n');
    writeFileSync(join(dir, 'native.yaml'), imported.stdout);
    const r = await runCli(['run', 'rb.yaml', '-i', 'native.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8').trim()).toBe('ansible-cli ["c004"] ["c001","c002","c003"]');
    const again = await runCli(['inventory', 'import', 'native.yaml'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('native.yaml is a native inventory already');
    expect(again.stdout).toBe('');
  });

  it('inventory import of a bad file: exit 2, the problems on stderr, nothing on stdout', async () => {
    const dir = workspace({ 'hosts.yml': 'all:\n  children:\n    managers:\n      hosts: [c001]\n' });
    const r = await runCli(['inventory', 'import', 'hosts.yml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('hosts.yml:4:14: error RB_INV_ANSIBLE_SYNTAX: Ansible YAML inventory: the hosts of "managers" are a list, not a mapping');
    noStackTrace(r);
    const missing = await runCli(['inventory', 'import', 'nope.ini'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('RB_FILE_NOT_FOUND');
  });

  it('inventory import --help shows an example', async () => {
    const r = await runCli(['inventory', 'import', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$ runbook inventory import hosts > hosts.yaml');
  });
});
