/**
 * provision-node on a 3-node lab whose node3 was taken out of the swarm first (as after a kickstart):
 * daemon.json merged at the node's lab path with a backup, dockerd restarted through the lab's power
 * commands and trusting the registry, node3 joined with its inventory role and labels. The second run
 * changes nothing: same file, same dockerd, same swarm entry. Devicemapper on a swarm member is refused.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { deriveInventory, LabApi, labPowerCommand, runbook } from './node-lifecycle-cli.js';

let handle: LabHandle;
let api: LabApi;
let inventory: string;
let state: string;
let registry: string;

function nodeFile(node: string, file: string): string {
  const n = handle.lab.nodes.find((x) => x.name === node)!;
  return join(dirname(n.dockerSocket), file);
}

beforeAll(async () => {
  // No lab registry: provision-node is what puts the inventory's registry into daemon.json here.
  handle = await withLab({ nodes: 3, managers: 1, swarm: true });
  api = new LabApi(handle.lab);
  const dir = workspace();
  state = join(dir, 'state');
  inventory = deriveInventory(handle.lab, dir, { labels: { node3: { function: 'production' } }, groups: { registry: ['node1'] } });
  registry = `${handle.lab.nodes[0]!.address}:5000`;
  // node3 as a fresh kickstart leaves it: outside the swarm, a daemon.json with a setting of its own.
  const id = (await api.node('node3')).ID;
  await api.call('node3', { method: 'POST', path: '/swarm/leave', query: { force: false } });
  await api.call('node1', { method: 'DELETE', path: `/nodes/${id}`, query: { force: true } });
  writeFileSync(nodeFile('node3', 'etc-docker/daemon.json'), '{ "debug": false }\n');
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

function provisionInputs(): Record<string, string> {
  const restart = `${labPowerCommand(handle.lab, 'off')} && ${labPowerCommand(handle.lab, 'on')}`;
  // daemon_json is the production default: /etc/docker/daemon.json, which on a lab node is the node's own.
  return { node: 'node3', restart: 'restart', restart_local_command: restart };
}

describe('provision-node', () => {
  it('plan shows the merge with the registry taken from the inventory registry group', async () => {
    const r = await runCli(['plan', 'provision-node', '-i', inventory, ...Object.entries(provisionInputs()).flatMap(([k, v]) => ['--input', `${k}=${v}`])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('merge JSON into /etc/docker/daemon.json on node3');
    expect(r.stdout).toContain(`{"insecure-registries":["${registry}"]}`);
    expect(readFileSync(nodeFile('node3', 'etc-docker/daemon.json'), 'utf8')).toBe('{ "debug": false }\n');
  }, 60_000);

  it('merges daemon.json, restarts dockerd, joins with labels; a second run changes nothing', async () => {
    const pid = readFileSync(nodeFile('node3', 'docker.pid'), 'utf8');
    const first = await runbook('provision-node', inventory, state, provisionInputs());
    expect(first.code, first.stderr).toBe(0);

    expect(JSON.parse(readFileSync(nodeFile('node3', 'etc-docker/daemon.json'), 'utf8'))).toEqual({ debug: false, 'insecure-registries': [registry] });
    expect(readFileSync(nodeFile('node3', 'etc-docker/daemon.json.bak'), 'utf8')).toBe('{ "debug": false }\n');
    expect(readFileSync(nodeFile('node3', 'docker.pid'), 'utf8')).not.toBe(pid);
    expect((await api.info('node3')).RegistryConfig?.IndexConfigs?.[registry]?.Secure).toBe(false);
    expect(first.started).toEqual(expect.arrayContaining(['restart-local', 'join/join']));
    const node = await api.node('node3');
    expect(node.Status?.State).toBe('ready');
    expect(node.Spec.Role).toBe('worker');
    expect(node.Spec.Labels).toEqual({ function: 'production' });
    expect((await api.info('node3')).Swarm.NodeID).toBe(node.ID);

    const written = statSync(nodeFile('node3', 'etc-docker/daemon.json')).mtimeMs;
    const running = readFileSync(nodeFile('node3', 'docker.pid'), 'utf8');
    const second = await runbook('provision-node', inventory, state, provisionInputs());
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['daemon-json']).toBe('check');
    expect(second.skipped['restart-local']).toBe('when');
    expect(second.skipped['join/join']).toBe('check');
    expect(second.skipped['join/labels']).toBe('check');
    expect(statSync(nodeFile('node3', 'etc-docker/daemon.json')).mtimeMs).toBe(written);
    expect(readFileSync(nodeFile('node3', 'docker.pid'), 'utf8')).toBe(running);
    expect((await api.node('node3')).ID).toBe(node.ID);
  }, 180_000);

  it('refuses devicemapper on a swarm member before touching anything', async () => {
    const before = readFileSync(nodeFile('node2', 'etc-docker/daemon.json'), 'utf8');
    const r = await runbook('provision-node', inventory, state, { node: 'node2', device: '/dev/rb-none' });
    expect(r.code).toBe(1);
    expect(r.failed['devicemapper']).toContain('node2 is in a swarm and runs overlay2');
    expect(r.started).not.toContain('thinpool');
    expect(r.started).not.toContain('daemon-json');
    expect(readFileSync(nodeFile('node2', 'etc-docker/daemon.json'), 'utf8')).toBe(before);
  }, 60_000);
});
