/**
 * An Ansible INI inventory against real lab nodes: the lab's nodes written the way an operator's Ansible
 * inventory would list them (key, known_hosts through `ansible_ssh_common_args`, roles from [managers] and
 * [workers], a group of groups, Docker through `docker_host` — a unix socket for one node, SSH for the
 * others). `runbook run cluster-status` reaches every node over SSH; `plan` and `run` of a runbook aimed
 * at the Ansible group read each daemon's live state; `inventory import` of that file plans the same.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../engine/inventory/load.js';
import type { Inventory } from '../../engine/inventory/types.js';
import { runCli, workspace, type CliResult } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;
let dir: string;
let home: string;

/** The `step.succeeded` events of `step`, from `--json` output. */
function succeeded(r: CliResult, step: string): Array<Record<string, unknown>> {
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return events.filter((e) => e.type === 'step.succeeded' && e.step === step);
}

/** The CLI in the workspace, with a HOME of its own so that no ~/.ssh of the machine takes part. */
function cli(args: readonly string[]): Promise<CliResult> {
  return runCli(args, { cwd: dir, env: { HOME: home, SSH_AUTH_SOCK: '' } });
}

const REACH = `
name: ansible-reach
steps:
  - id: info
    action: docker.info
    on: app
  - id: hostname
    action: ssh.run
    on: app
    with: { command: hostname, read_only: true }
`;

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true });
  const native = loadInventory(handle.lab.inventory).value as Inventory;
  const [first] = native.nodes;
  const socket = handle.lab.nodes.find((n) => n.name === 'node1')?.dockerSocket as string;
  const line = (name: string, extra: string) => `${name} ansible_host=${native.nodes.find((n) => n.name === name)?.address ?? ''} ${extra}`;
  const hosts = `# the lab, as an Ansible inventory would list it
[all:vars]
swarm_cluster=${handle.lab.name}
ansible_user=root
ansible_ssh_private_key_file=${first?.ssh.identity ?? ''}
ansible_ssh_common_args='-o UserKnownHostsFile=${first?.ssh.knownHosts ?? ''} -o StrictHostKeyChecking=yes'
ansible_python_interpreter=/usr/bin/python3

[managers]
${line('node1', `docker_host=unix://${socket}`)}

[workers]
${line('node2', 'docker_host=ssh://root@node2')}
${line('node3', 'docker_host=ssh://root@node3')}

[app:children]
workers
`;
  dir = workspace({ 'hosts.ini': hosts, 'reach.yaml': REACH });
  home = workspace();
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

describe('an Ansible INI inventory on lab nodes', () => {
  it('runs cluster-status: every node over SSH, the node list from the manager', async () => {
    const r = await cli(['run', 'cluster-status', '-i', 'hosts.ini', '--state-dir', 's', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
    const engines = succeeded(r, 'engines').map((e) => String((e.outputs as { stdout: string }).stdout).split(' ')[0]);
    expect(engines.sort()).toEqual(['node1', 'node2', 'node3']);
    const swarm = String((succeeded(r, 'swarm')[0]?.outputs as { stdout: string } | undefined)?.stdout);
    for (const name of ['node1', 'node2', 'node3']) expect(swarm).toContain(name);
  });

  it('plans and runs a runbook aimed at an Ansible group, with live reads of each daemon', async () => {
    const planned = await cli(['plan', 'reach.yaml', '-i', 'hosts.ini', '--state-dir', 's', '--json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { steps: Array<{ step: string; instances: Array<{ target: string; read?: string }> }> };
    const info = plan.steps.find((st) => st.step === 'info');
    expect(info?.instances.map((i) => i.target).sort()).toEqual(['node2', 'node3']);
    for (const i of info?.instances ?? []) expect(i.read).toMatch(/^read now/);
    const r = await cli(['run', 'reach.yaml', '-i', 'hosts.ini', '--state-dir', 's', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const infos = succeeded(r, 'info').map((e) => e.outputs as { name: string; swarm_state: string; is_manager: boolean });
    expect(infos.map((i) => i.name).sort()).toEqual(['node2', 'node3']);
    for (const info of infos) expect(info).toMatchObject({ swarm_state: 'active', is_manager: false });
    const names = succeeded(r, 'hostname').map((e) => (e.outputs as { stdout: string }).stdout);
    expect(names.sort()).toEqual(['node2', 'node3']);
  });

  it('the imported native inventory reaches the same nodes', async () => {
    const imported = await cli(['inventory', 'import', 'hosts.ini']);
    expect(imported.code, imported.stderr).toBe(0);
    writeFileSync(join(dir, 'native.yaml'), imported.stdout);
    const r = await cli(['run', 'reach.yaml', '-i', 'native.yaml', '--state-dir', 's', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(succeeded(r, 'hostname').map((e) => (e.outputs as { stdout: string }).stdout).sort()).toEqual(['node2', 'node3']);
  });
});
