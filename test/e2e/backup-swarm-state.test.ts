/**
 * backup-swarm-state on a 3-manager lab: it refuses the leader, picks a reachable non-leader manager by
 * itself, stops that node's dockerd (on the lab: a kill over SSH; started again with the lab's power-on),
 * archives its swarm directory, and copies the archive into the run directory with a checked sha256.
 * The cluster is the same afterwards, and after a second run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { LabApi, labPowerCommand, runbook, type SwarmNode } from './node-lifecycle-cli.js';

let handle: LabHandle;
let api: LabApi;
let state: string;
let archives: string;
let inputs: Record<string, string>;

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 3, swarm: true });
  api = new LabApi(handle.lab);
  const dir = workspace();
  state = join(dir, 'state');
  archives = join(dir, 'archives');
  const labDir = handle.lab.dir;
  inputs = {
    // Each lab node's dockerd keeps its state under <labdir>/<node>/; production paths are the defaults.
    swarm_dir: `${labDir}/{node}/data/swarm`,
    pid_file: `${labDir}/{node}/docker.pid`,
    archive_dir: archives,
    stop_command: `kill "$(cat ${labDir}/$1/docker.pid)"`,
    start_local_command: labPowerCommand(handle.lab, 'on').replace('{node}', '"$1"'),
  };
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

/** Managers as (hostname, reachability, leader), sorted: what must be the same before and after. */
async function managers(): Promise<string[]> {
  const nodes = await api.get<SwarmNode[]>('node1', '/nodes');
  return nodes
    .filter((n) => n.ManagerStatus)
    .map((n) => `${n.Description?.Hostname} ${n.ManagerStatus?.Reachability} ${n.ManagerStatus?.Leader === true ? 'leader' : ''}`)
    .sort();
}

function pidsByNode(): Record<string, string> {
  return Object.fromEntries(handle.lab.nodes.map((n) => [n.name, readFileSync(join(dirname(n.dockerSocket), 'docker.pid'), 'utf8')]));
}

async function leader(): Promise<string> {
  const nodes = await api.get<SwarmNode[]>('node1', '/nodes');
  return nodes.find((n) => n.ManagerStatus?.Leader === true)?.Description?.Hostname ?? '';
}

describe('backup-swarm-state', () => {
  it('refuses the leader and stops nothing', async () => {
    const pids = pidsByNode();
    const r = await runbook('backup-swarm-state', handle.lab.inventory, state, { ...inputs, node: await leader() });
    expect(r.code).toBe(1);
    expect(r.failed['choose']).toContain('refused');
    expect(r.started).not.toContain('stop');
    expect(pidsByNode()).toEqual(pids);
    expect(existsSync(archives)).toBe(false);
  }, 60_000);

  it('refuses, saying why, when no manager of the inventory may stop: only the leader is in it', async () => {
    // The swarm has three managers, the inventory names the leader alone: nothing to pick from.
    const lead = await leader();
    const written = parse(readFileSync(handle.lab.inventory, 'utf8')) as { nodes: Array<{ name: string }>; groups?: Record<string, string[]> };
    written.nodes = written.nodes.filter((n) => n.name === lead);
    for (const [group, members] of Object.entries(written.groups ?? {})) written.groups![group] = members.filter((m) => m === lead);
    const alone = join(dirname(state), 'leader-alone.yaml');
    writeFileSync(alone, stringify(written));
    const pids = pidsByNode();
    const r = await runbook('backup-swarm-state', alone, state, inputs);
    expect(r.code).toBe(1);
    expect(r.failed['choose']).toMatch(/^refused: no reachable manager other than the leader can stop without losing the quorum/);
    expect(r.started).not.toContain('stop');
    expect(pidsByNode()).toEqual(pids);
  }, 60_000);

  it('archives a non-leader manager cold, fetches the archive with its sha256; the cluster is as before, twice', async () => {
    const before = await managers();
    for (const round of [1, 2]) {
      const pids = pidsByNode();
      const r = await runbook('backup-swarm-state', handle.lab.inventory, state, inputs);
      expect(r.code, `round ${round}: ${r.stderr}`).toBe(0);
      const out = r.outputs['fetch']!;
      const node = String(out['node']);
      expect(node).not.toBe(await leader());
      const archive = String(out['archive']);
      // Into the run directory, checked against the sum computed on the node.
      expect(archive.startsWith(join(state, 'runs'))).toBe(true);
      expect(createHash('sha256').update(readFileSync(archive)).digest('hex')).toBe(out['sha256']);
      const listing = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n');
      expect(listing).toContain('swarm/raft/');
      expect(listing).toContain('swarm/state.json');
      // The node's dockerd really was stopped and started: a new pid.
      expect(r.started).toEqual(expect.arrayContaining(['stop', 'archive', 'start-local', 'engine', 'reachable']));
      const now = pidsByNode();
      expect(Object.keys(now).filter((n) => now[n] !== pids[n])).toEqual([node]);
      expect((await api.info(node)).Swarm.ControlAvailable).toBe(true);
      await api.until('every manager reachable', 30_000, async () => JSON.stringify(await managers()) === JSON.stringify(before));
      expect(await managers()).toEqual(before);
    }
  }, 180_000);
});
