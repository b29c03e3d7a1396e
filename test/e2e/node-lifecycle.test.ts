/**
 * The node lifecycle runbooks on a 5-node lab (3 managers): drain-node, label-node, promote-node,
 * demote-node, remove-node (a worker that leaves, an unreachable worker, a manager) and join-node. Each
 * result is read back through the nodes' Engine API, and each runbook runs twice: the second run's
 * mutating steps are all skipped by their checks (or by `when`, once the node is gone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPower } from '../../engine/lab/commands.js';
import { workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { deriveInventory, LabApi, runbook, type Task } from './node-lifecycle-cli.js';

let handle: LabHandle;
let api: LabApi;
let inventory: string;
let state: string;

const REPLICAS = 5;

beforeAll(async () => {
  handle = await withLab({ nodes: 5, managers: 3, swarm: true });
  api = new LabApi(handle.lab);
  const dir = workspace();
  state = `${dir}/state`;
  inventory = deriveInventory(handle.lab, dir, {
    labels: { node4: { function: 'production', rack: 'r4' }, node5: { function: 'production' } },
  });
  // A short stop grace: busybox `sleep` ignores SIGTERM, and drains would wait 10 s per task.
  await api.call('node1', {
    method: 'POST',
    path: '/services/create',
    body: {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'lab/busybox:1', Command: ['sleep', '100000'], StopGracePeriod: 1_000_000_000 } },
      Mode: { Replicated: { Replicas: REPLICAS } },
    },
  });
  await api.until('web to run everywhere', 60_000, async () => (await running()).length === REPLICAS);
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

/** Tasks of `web` that run, optionally on one node. */
async function running(hostname?: string): Promise<Task[]> {
  const tasks = await api.get<Task[]>('node1', '/tasks');
  const id = hostname === undefined ? undefined : (await api.node(hostname)).ID;
  return tasks.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running' && (id === undefined || t.NodeID === id));
}

describe('drain-node', () => {
  it('drains a node: no task left on it, every replica running elsewhere; a second run changes nothing', async () => {
    expect((await running('node4')).length).toBeGreaterThan(0);
    const first = await runbook('drain-node', inventory, state, { node: 'node4' });
    expect(first.code, first.stderr).toBe(0);
    expect((await api.node('node4')).Spec.Availability).toBe('drain');
    expect(await running('node4')).toEqual([]);
    expect((await running()).length).toBe(REPLICAS);

    const second = await runbook('drain-node', inventory, state, { node: 'node4' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['availability']).toBe('check');
    expect((await api.node('node4')).Spec.Availability).toBe('drain');
  }, 90_000);

  it('availability=active takes tasks again after maintenance', async () => {
    const r = await runbook('drain-node', inventory, state, { node: 'node4', availability: 'active' });
    expect(r.code, r.stderr).toBe(0);
    expect((await api.node('node4')).Spec.Availability).toBe('active');
    expect(r.skipped['tasks-gone']).toBe('when');
  }, 60_000);
});

describe('label-node', () => {
  it('sets the inventory labels, merges given ones, and a second run is skipped by the check', async () => {
    const first = await runbook('label-node', inventory, state, { node: 'node4' });
    expect(first.code, first.stderr).toBe(0);
    expect((await api.node('node4')).Spec.Labels).toEqual({ function: 'production', rack: 'r4' });

    const second = await runbook('label-node', inventory, state, { node: 'node4' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['label']).toBe('check');

    const merged = await runbook('label-node', inventory, state, { node: 'node4', labels: '{zone: a}' });
    expect(merged.code, merged.stderr).toBe(0);
    expect((await api.node('node4')).Spec.Labels).toEqual({ function: 'production', rack: 'r4', zone: 'a' });
    // The rest of the spec went back with the labels.
    expect((await api.node('node4')).Spec.Availability).toBe('active');
  }, 60_000);
});

describe('promote-node and demote-node', () => {
  it('asks before making the manager count even: no answer, nothing changes (exit 3)', async () => {
    const r = await runbook('promote-node', inventory, state, { node: 'node4' }, { yes: false });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('makes 4 managers');
    expect(r.started).not.toContain('promote');
    expect((await api.node('node4')).ManagerStatus ?? undefined).toBeUndefined();
  }, 60_000);

  it('promotes: a reachable Raft member whose own engine runs the manager; a second run changes nothing', async () => {
    const first = await runbook('promote-node', inventory, state, { node: 'node4' });
    expect(first.code, first.stderr).toBe(0);
    expect((await api.node('node4')).ManagerStatus?.Reachability).toBe('reachable');
    expect((await api.info('node4')).Swarm.ControlAvailable).toBe(true);
    expect((await api.info('node1')).Swarm.Managers).toBe(4);

    const second = await runbook('promote-node', inventory, state, { node: 'node4' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['promote']).toBe('check');
    expect(second.skipped['even-managers']).toBe('when');
  }, 90_000);

  it('demotes: out of Raft, a worker again; a second run changes nothing', async () => {
    const first = await runbook('demote-node', inventory, state, { node: 'node4' });
    expect(first.code, first.stderr).toBe(0);
    const node = await api.node('node4');
    expect(node.ManagerStatus ?? undefined).toBeUndefined();
    expect(node.Spec.Role).toBe('worker');
    expect((await api.info('node4')).Swarm.ControlAvailable).toBe(false);
    expect((await api.info('node1')).Swarm.Managers).toBe(3);

    const second = await runbook('demote-node', inventory, state, { node: 'node4' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['demote']).toBe('check');
  }, 90_000);
});

describe('remove-node and join-node', () => {
  it('removes a worker: drained, left (its engine is out of swarm mode), its entry gone; a second run changes nothing', async () => {
    const first = await runbook('remove-node', inventory, state, { node: 'node5' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.skipped['demote']).toBe('when');
    expect(first.skipped['rm-unreachable']).toBe('when');
    expect(await api.entries('node5')).toEqual([]);
    expect((await api.info('node5')).Swarm.LocalNodeState).toBe('inactive');
    expect((await running()).length).toBe(REPLICAS);

    const second = await runbook('remove-node', inventory, state, { node: 'node5' });
    expect(second.code, second.stderr).toBe(0);
    for (const step of ['drain', 'tasks-gone', 'demote', 'leave', 'down', 'rm', 'rm-unreachable']) expect(second.skipped[step], step).toBe('when');
  }, 120_000);

  it('joins it again as a worker with its inventory labels; a second run changes nothing', async () => {
    const first = await runbook('join-node', inventory, state, { node: 'node5' });
    expect(first.code, first.stderr).toBe(0);
    const node = await api.node('node5');
    expect(node.Status?.State).toBe('ready');
    expect(node.Spec.Role).toBe('worker');
    expect(node.Spec.Labels).toEqual({ function: 'production' });
    const info = await api.info('node5');
    expect(info.Swarm.LocalNodeState).toBe('active');
    expect(info.Swarm.NodeID).toBe(node.ID);
    // The token was used, never shown.
    expect(JSON.stringify(first.events) + first.stderr).not.toContain('SWMTKN');

    const second = await runbook('join-node', inventory, state, { node: 'node5' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['join']).toBe('check');
    expect(second.skipped['labels']).toBe('check');
    expect((await api.node('node5')).ID).toBe(node.ID);
  }, 120_000);

  it('force-removes an unreachable worker only after a yes', async () => {
    await labPower({ name: handle.lab.name, stateDir: handle.stateDir }, 'node4', 'off', { hard: true });
    await api.until('node4 Down', 60_000, async () => (await api.node('node4')).Status?.State === 'down');

    const unanswered = await runbook('remove-node', inventory, state, { node: 'node4' }, { yes: false });
    expect(unanswered.code).toBe(3);
    // Refused at the runbook's own gate, before the force-removal's gate is reached.
    expect(unanswered.stderr).toContain('Remove node4 from swarm');
    expect(await api.entries('node4')).toHaveLength(1);

    const r = await runbook('remove-node', inventory, state, { node: 'node4' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.started).toContain('rm-unreachable');
    expect(r.skipped['leave']).toBe('when');
    expect(await api.entries('node4')).toEqual([]);
  }, 120_000);

  it('removes a manager: demoted through the guard, left, removed; the other managers keep the quorum', async () => {
    const r = await runbook('remove-node', inventory, state, { node: 'node3' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.started).toEqual(expect.arrayContaining(['demote', 'leave', 'rm']));
    expect(await api.entries('node3')).toEqual([]);
    expect((await api.info('node3')).Swarm.LocalNodeState).toBe('inactive');
    const managers = (await api.get<{ ManagerStatus?: { Reachability?: string } | null }[]>('node1', '/nodes')).filter((n) => n.ManagerStatus);
    expect(managers.map((m) => m.ManagerStatus?.Reachability)).toEqual(['reachable', 'reachable']);
  }, 120_000);
});
