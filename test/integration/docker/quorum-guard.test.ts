/**
 * The quorum guard on a live swarm of 3 managers with one powered off hard (M=3, R=2): demoting,
 * force-leaving or removing a reachable manager is refused with exit 3 and nothing changes; the plan shows M, R and
 * Q(M) after the step; `allow_quorum_loss: true` lets the step past the guard; demoting the
 * unreachable manager first passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPower } from '../../../engine/lab/commands.js';
import { workspace } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';
import { LabApi, planText, runJson } from './lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 3, swarm: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  await labPower({ name: handle.lab.name, stateDir: handle.stateDir }, 'node3', 'off', { hard: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

const demote = (node: string, allow = false): string => `
name: demote
steps:
  - id: demote
    action: docker.node.demote
    allow_quorum_loss: ${allow}
    with: { node: ${node}, timeout: 30s }
`;

describe('quorum guard (M=3, node3 powered off)', () => {
  it('waits until the managers see node3 down', async () => {
    const r = await runJson(dir, handle.lab.inventory, `
name: wait-down
steps:
  - id: down
    action: docker.node.wait
    with: { node: node3, until: down, timeout: 60s }
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['down']).toMatchObject({ state: 'down', reachability: 'unreachable' });
  }, 90_000);

  it('plan shows M, R and Q(M) after demoting a reachable manager, and that the guard would refuse', async () => {
    const r = await planText(dir, handle.lab.inventory, demote('node2'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('quorum now M=3, R=2, Q(3)=2; after demoting node2 (reachable): M=2, R=1, Q(2)=2: quorum lost');
    expect(r.stdout).toContain('the quorum guard would refuse this step');
  });

  it('plan of a power-off of managers shows M, R and Q(M) after stopping each, and changes nothing', async () => {
    const r = await planText(dir, handle.lab.inventory, `
name: off
steps:
  - id: off
    action: power.off
    on: [node1, node2]
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('quorum now M=3, R=2, Q(3)=2; after stopping node1 (reachable): M=3, R=1, Q(3)=2: quorum lost');
    expect(r.stdout).toContain('quorum now M=3, R=2, Q(3)=2; after stopping node2 (reachable): M=3, R=1, Q(3)=2: quorum lost');
    expect(r.stdout).toContain('the quorum guard would refuse this step');
    expect(await api.info('node2')).toMatchObject({ Swarm: { LocalNodeState: 'active' } });
  });

  it('refuses to demote a reachable manager: exit 3, node2 still a manager', async () => {
    const r = await runJson(dir, handle.lab.inventory, demote('node2'));
    expect(r.code, r.stderr).toBe(3);
    expect(r.skipped['demote']).toBe('refused');
    expect(r.stderr).toContain('demote the unreachable managers first');
    expect(r.events.some((e) => e['type'] === 'step.started')).toBe(false);
    const node2 = await api.node('node2');
    expect(node2?.Spec.Role).toBe('manager');
    expect(node2?.ManagerStatus?.Reachability).toBe('reachable');
  });

  it('refuses a forced leave of a reachable manager (M stays, R−1 < Q(M))', async () => {
    const r = await runJson(dir, handle.lab.inventory, `
name: leave
steps:
  - id: leave
    action: docker.swarm.leave
    on: node2
    with: { force: true }
`);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('after stopping node2 (reachable): M=3, R=1, Q(3)=2: quorum lost');
    expect((await api.info('node2')).Swarm.LocalNodeState).toBe('active');
  });

  it('refuses to remove a reachable manager\'s entry (its vote would go with it): exit 3, node2 still there', async () => {
    const r = await runJson(dir, handle.lab.inventory, `
name: rm
steps:
  - id: rm
    action: docker.node.rm
    with: { node: node2, force: true }
`);
    expect(r.code, r.stderr).toBe(3);
    expect(r.skipped['rm']).toBe('refused');
    expect(r.stderr).toContain('after demoting node2 (reachable): M=2, R=1, Q(2)=2: quorum lost');
    expect((await api.node('node2'))?.ManagerStatus?.Reachability).toBe('reachable');
  });

  it('allow_quorum_loss lets the step past the guard (the daemon then has the last word)', async () => {
    const r = await runJson(dir, handle.lab.inventory, demote('node2', true));
    expect(r.code, r.stderr).toBe(1);
    expect(r.events.some((e) => e['type'] === 'step.started')).toBe(true);
    expect(r.failed['demote']).toMatch(/POST \/nodes\/\w+\/update → 400: .*loss of quorum/);
    expect((await api.node('node2'))?.ManagerStatus?.Reachability).toBe('reachable');
  });

  it('demoting the unreachable manager first passes, and leaves M=2', async () => {
    const r = await runJson(dir, handle.lab.inventory, demote('node3'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['demote']).toMatchObject({ role: 'worker', reachability: '' });
    const node3 = await api.node('node3');
    expect(node3?.Spec.Role).toBe('worker');
    expect(node3?.ManagerStatus).toBeUndefined();
    const plan = await planText(dir, handle.lab.inventory, demote('node2'));
    expect(plan.stdout).toContain('quorum now M=2, R=2, Q(2)=2; after demoting node2 (reachable): M=1, R=1, Q(1)=1: quorum kept');
  });
});
