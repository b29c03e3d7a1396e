/**
 * A light lab (sshd only, no dockerd): 20 nodes come up, `runbook run` reaches every one over SSH and each
 * answers with its own hostname, `lab status` shows sshd up and no dockerd, and `ssh.max_connections`
 * really bounds how many connections the engine sets up at once; a host's name is asked once per connection. Down leaves nothing behind. Asking for
 * a light swarm exits 2 before anything is made.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadInventory, loadRunbook, openRunStore, run, systemPorts, type Inventory } from '../../../engine/index.js';
import { SshPool } from '../../../engine/io/ssh/pool.js';
import { sshTargetOf } from '../../../engine/io/ssh/target.js';
import { readState } from '../../../engine/lab/state.js';
import type { JournalRecord } from '../../../engine/journal/records.js';
import { runCli, workspace } from '../../helpers/cli.js';
import { labLeftovers, withLab, type LabHandle } from '../../helpers/lab.js';

const NODES = 20;
const RUNBOOK = 'name: names\nsteps:\n  - id: names\n    action: ssh.run\n    on: all\n    with: { command: hostname }\n';
let handle: LabHandle;
let dir: string;

beforeAll(async () => {
  handle = await withLab({ nodes: NODES, swarm: false, light: true });
  dir = workspace({ 'names.yaml': RUNBOOK });
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 180_000);

/** Runs the runbook through the API on an inventory with `defaults.ssh` changed; returns the pool's counters. */
async function fanOut(ssh: Record<string, unknown>): Promise<{ status: string; opened: number; peak: number }> {
  const written = parse(readFileSync(handle.lab.inventory, 'utf8')) as { defaults: { ssh: Record<string, unknown> } };
  written.defaults.ssh = { ...written.defaults.ssh, ...ssh };
  const file = join(dir, `inventory-${Object.values(ssh).join('-') || 'default'}.yaml`);
  writeFileSync(file, stringify(written));
  const inventory = loadInventory(file).value as Inventory;
  const ports = systemPorts(process.stdin, process.stderr);
  try {
    const store = await openRunStore({ stateDir: join(dir, 'api-state') });
    const outcome = await run({ runbook: loadRunbook(join(dir, 'names.yaml')).value!, inputs: {}, inventory, store, yes: true, ports, reporters: [] });
    const pool = ports.ssh as SshPool;
    return { status: outcome.status, opened: pool.connectionsOpened, peak: pool.peakConnecting };
  } finally {
    await ports.ssh.close();
    await ports.docker.close();
  }
}

describe('lab up --light', () => {
  it('refuses a light swarm or registry with exit 2, making nothing', async () => {
    const state = workspace();
    for (const extra of ['--swarm', '--registry']) {
      const r = await runCli(['lab', 'up', '--light', extra, '--name', 'lightswarm', '--state-dir', state]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('light nodes run no dockerd');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(state)).toEqual([]);
  });

  it('every node answers `hostname` with its own name through `runbook run`', async () => {
    const state = join(dir, 'state');
    const r = await runCli(['run', 'names', '-i', handle.lab.inventory, '--state-dir', state, '--runbooks', dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const [runId] = readdirSync(join(state, 'runs'));
    const records = readFileSync(join(state, 'runs', runId!, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as JournalRecord);
    const answers = new Map<string, unknown>();
    for (const rec of records) if (rec.type === 'step.succeeded') answers.set(rec.instance, rec.outputs['stdout']);
    const expected = new Map(handle.lab.nodes.map((n) => [`names@${n.name}`, n.name]));
    expect(answers).toEqual(expected);
    expect(answers.size).toBe(NODES);
  }, 120_000);

  it('lab status shows sshd up and no dockerd on every node', async () => {
    const r = await runCli(['lab', 'status', '--name', handle.lab.name, '--state-dir', handle.stateDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('light (sshd only)');
    const rows = r.stdout.split('\n').filter((l) => /^node\d+ /.test(l));
    expect(rows).toHaveLength(NODES);
    for (const row of rows) expect(row).toMatch(/^node\d+\s+\S+\s+(manager|worker)\s+none\s+up\s+-/);
    const json = await runCli(['lab', 'status', '--name', handle.lab.name, '--state-dir', handle.stateDir, '--json']);
    const report = JSON.parse(json.stdout) as { light: boolean; nodes: { sshd: boolean; dockerd: boolean }[] };
    expect(report.light).toBe(true);
    expect(report.nodes.every((n) => n.sshd && !n.dockerd)).toBe(true);
  }, 60_000);

  it('ssh.max_connections: 2 sets up at most 2 connections at once; by default all 20 go together', async () => {
    const capped = await fanOut({ max_connections: 2 });
    expect(capped).toEqual({ status: 'succeeded', opened: NODES, peak: 2 });
    const free = await fanOut({});
    expect(free).toMatchObject({ status: 'succeeded', opened: NODES });
    expect(free.peak).toBeGreaterThan(2);
  }, 120_000);

  it('ssh.kex is what the connections offer: one sshd shares works, one it refuses fails every node', async () => {
    expect(await fanOut({ kex: ['ecdh-sha2-nistp256'] })).toMatchObject({ status: 'succeeded', opened: NODES });
    // OpenSSH no longer offers the 1024-bit group: no connection can agree on a key exchange.
    expect(await fanOut({ kex: ['diffie-hellman-group1-sha1'] })).toMatchObject({ status: 'failed', opened: 0 });
  }, 120_000);

  it('a host is asked its name once per connection: a new connection asks again', async () => {
    const node = (await readState(handle.lab.dir))?.nodes[0];
    if (node === undefined) throw new Error('no lab state');
    const inventory = loadInventory(handle.lab.inventory).value as Inventory;
    const target = sshTargetOf(inventory.nodes.find((n) => n.name === node.name)!);
    const rename = (to: string): string => execFileSync('nsenter', [`--uts=${node.uts}`, 'hostname', to], { encoding: 'utf8' });
    const signal = new AbortController().signal;
    const pool = new SshPool();
    try {
      expect(await pool.hostname(target, signal)).toBe(node.name);
      rename('renamed');
      // The same connection cannot have changed host: the answer it gave stands.
      expect(await pool.hostname(target, signal)).toBe(node.name);
      expect(pool.connectionsOpened).toBe(1);
      await pool.close();
      expect(await pool.hostname(target, signal)).toBe('renamed');
      expect(pool.connectionsOpened).toBe(2);
    } finally {
      rename(node.name);
      await pool.close();
    }
  }, 60_000);

  it('lab down leaves nothing behind', async () => {
    await handle.down();
    expect(labLeftovers(handle.lab)).toEqual([]);
  }, 180_000);
});
