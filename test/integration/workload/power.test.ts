/**
 * Power and daemon restarts through the lab inventory's power commands, observed the way an operator
 * would: SSH going silent and answering again, and the managers' view of the node (Down, then Ready).
 * The quorum guard refuses to stop a second manager of three.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';
import type { Inventory, InventoryNode } from '../../../engine/inventory/types.js';
import { dockerOk } from '../../../engine/lab/docker-api.js';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';

let handle: LabHandle;
let inventory: Inventory;

beforeAll(async () => {
  handle = await withLab({ nodes: 4, managers: 3, swarm: true });
  inventory = loadInventory(handle.lab.inventory).value as Inventory;
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

function node(name: string): InventoryNode {
  const n = inventory.nodes.find((x) => x.name === name);
  if (n === undefined) throw new Error(`no node ${name}`);
  return n;
}

function socketOf(name: string): string {
  const docker = node(name).docker;
  if (docker.type !== 'socket') throw new Error('the lab gives sockets');
  return docker.socket;
}

interface NodeView {
  Description: { Hostname: string };
  Status: { State: string };
  ManagerStatus?: { Reachability: string };
}

/** Polls node1's view of `name` until `ok`, for at most `ms`. */
async function awaitView(name: string, ok: (n: NodeView) => boolean, ms = 60_000): Promise<NodeView> {
  const deadline = Date.now() + ms;
  for (;;) {
    const nodes = (await dockerOk(socketOf('node1'), 'GET', '/nodes')) as NodeView[];
    const found = nodes.find((n) => n.Description.Hostname === name);
    if (found !== undefined && ok(found)) return found;
    if (Date.now() > deadline) throw new Error(`${name}: last seen ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function events(r: CliResult): Record<string, unknown>[] {
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function runbook(action: string, on: string, extra = ''): string {
  return `
name: power
steps:
  - id: act
    action: ${action}
    on: ${on}
${extra}`;
}

async function run(text: string, state = 's'): Promise<CliResult> {
  const dir = workspace({ 'rb.yaml': text });
  return runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', state, '--json'], { cwd: dir });
}

describe('power.off / power.on', () => {
  it('plan shows the inventory command and leaves the node running', async () => {
    const dir = workspace({ 'rb.yaml': runbook('power.off', 'node4') });
    const r = await runCli(['plan', 'rb.yaml', '-i', handle.lab.inventory], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('lab power off node4');
    expect(r.stdout).toContain('would run');
    expect((await awaitView('node4', () => true)).Status.State).toBe('ready');
  });

  it('powers a worker off (SSH silent, Down) and on again (SSH answers, Ready); a second power.on is skipped', async () => {
    const off = await run(runbook('power.off', 'node4', '    with: { timeout: 1m }'));
    expect(off.code, off.stderr + off.stdout).toBe(0);
    await awaitView('node4', (n) => n.Status.State === 'down');
    const on = await run(runbook('power.on', 'node4', '    with: { timeout: 1m }'));
    expect(on.code, on.stderr + on.stdout).toBe(0);
    await awaitView('node4', (n) => n.Status.State === 'ready');
    const again = await run(runbook('power.on', 'node4'), 's2');
    expect(again.code).toBe(0);
    expect(events(again).find((e) => e['type'] === 'step.skipped')?.['reason']).toBe('check');
  }, 150_000);

  it('restarts a worker’s daemon with a local command and waits until it is back in the swarm', async () => {
    const n = node('node4');
    const command = `${n.power.off} && ${n.power.on}`;
    const r = await run(runbook('docker.daemon.restart', 'node4', `    with: { local_command: ${JSON.stringify(command)}, timeout: 1m }`));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(events(r).find((e) => e['type'] === 'step.succeeded')?.['outputs']).toMatchObject({ node: 'node4', swarm: 'active' });
  }, 120_000);

  it('stops one manager of three, then refuses to stop a second (exit 3, nothing done)', async () => {
    const first = await run(runbook('power.off', 'node2', '    with: { timeout: 1m }'));
    expect(first.code, first.stderr + first.stdout).toBe(0);
    try {
      await awaitView('node2', (v) => v.ManagerStatus?.Reachability === 'unreachable');
      const second = await run(runbook('power.off', 'node3'), 's2');
      expect(second.code, second.stderr + second.stdout).toBe(3);
      expect(second.stderr).toMatch(/quorum guard: after stopping node3 \(reachable\): M=3, R=1, Q\(3\)=2: quorum lost/);
      const restart = await run(runbook('docker.daemon.restart', 'node3'), 's3');
      expect(restart.code).toBe(3);
      expect((await awaitView('node3', () => true)).ManagerStatus?.Reachability).toBe('reachable');
    } finally {
      const on = await run(runbook('power.on', 'node2', '    with: { timeout: 1m }'), 's4');
      expect(on.code, on.stderr).toBe(0);
    }
    await awaitView('node2', (v) => v.ManagerStatus?.Reachability === 'reachable');
  }, 180_000);
});
