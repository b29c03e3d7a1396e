/**
 * The swarm and node actions against a live lab (5 nodes, 3 managers): state checked through the API
 * after each, idempotent actions run twice (the second run skipped by its check), the dry-run proven
 * read-only by snapshots, an unreachable daemon and the SSH transport.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateRole } from '../../../engine/actions/docker/node/worker-certificate.js';
import { labPower } from '../../../engine/lab/commands.js';
import { workspace } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';
import { LabApi, planText, runJson, type ApiNode } from './lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;
let inventory: string;

beforeAll(async () => {
  handle = await withLab({ nodes: 5, managers: 3, swarm: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  inventory = handle.lab.inventory;
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

describe('dry-run', () => {
  it('plans every mutating action against the live cluster and changes nothing', async () => {
    const before = await api.snapshot();
    const r = await planText(dir, inventory, `
name: every-action
steps:
  - id: token
    action: docker.swarm.join-token
    with: { role: worker }
    secret_outputs: [token]
  - id: init
    action: docker.swarm.init
    on: node5
  - id: fnc
    action: docker.swarm.init
    on: node2
    with: { force_new_cluster: true }
  - id: join
    needs: [token]
    action: docker.swarm.join
    on: node5
    with: { token: "\${{ steps.token.outputs.token }}" }
  - id: leave
    action: docker.swarm.leave
    on: node4
  - id: leave-manager
    action: docker.swarm.leave
    on: node3
    with: { force: true }
  - id: label
    action: docker.node.update
    with: { node: node4, labels: { function: production }, availability: drain }
  - id: replace
    action: docker.node.update
    with: { node: node4, labels: { a: b }, labels_mode: replace, role: manager }
  - id: promote
    action: docker.node.promote
    with: { node: node5 }
  - id: demote
    action: docker.node.demote
    with: { node: node2 }
  - id: rm
    action: docker.node.rm
    with: { node: node5, force: true }
  - id: rm-manager
    action: docker.node.rm
    with: { node: node3 }
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('cannot plan');
    expect(r.stdout).toMatch(/POST \/nodes\/\w+\/update\?version=\d+ \{"Labels":\{"function":"production"\},"Availability":"drain"\}/);
    expect(r.stdout).toContain('quorum now M=3, R=3, Q(3)=2; after demoting node2 (reachable): M=2, R=2, Q(2)=2: quorum kept');
    expect(r.stdout).toContain('after stopping node3 (reachable): M=3, R=2, Q(3)=2: quorum kept');
    expect(r.stdout).toMatch(/DELETE \/nodes\/\w+\?force=true/);
    expect(r.stdout).toContain('"JoinToken":"***"');
    expect(r.stdout).not.toContain('SWMTKN');
    expect(await api.snapshot()).toEqual(before);
  }, 60_000);
});

describe('read-only actions', () => {
  it('docker.info and docker.swarm.join-token; the token never reaches output or journal', async () => {
    const r = await runJson(dir, inventory, `
name: read
steps:
  - id: info
    action: docker.info
  - id: worker
    action: docker.info
    on: node4
  - id: token
    action: docker.swarm.join-token
    with: { role: manager }
`);
    expect(r.code, r.stderr).toBe(0);
    const info = await api.info('node1');
    expect(r.outputs['info']).toMatchObject({ name: 'node1', swarm_state: 'active', is_manager: true, managers: 3, nodes: 5, node_id: info.Swarm.NodeID, cluster_id: info.Swarm.Cluster?.ID });
    expect(r.outputs['worker']).toMatchObject({ name: 'node4', is_manager: false, cluster_id: '' });
    expect(r.outputs['token']).toMatchObject({ role: 'manager' });
    expect(r.outputs['token']?.['manager_addrs']).toHaveLength(3);
    expect(r.outputs['token']).not.toHaveProperty('token');
    expect(r.stdout + r.stderr).not.toContain('SWMTKN');
    const runs = join(dir, 'state', 'runs');
    for (const run of readdirSync(runs)) expect(readFileSync(join(runs, run, 'journal.jsonl'), 'utf8')).not.toContain('SWMTKN');
  });
});

describe('node actions', () => {
  const update = (w: string): string => `
name: update
steps:
  - id: update
    action: docker.node.update
    with: ${w}
`;

  it('docker.node.update merges labels with the whole spec; a second run is skipped by its check', async () => {
    const first = await runJson(dir, inventory, update('{ node: node4, labels: { function: production } }'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.outputs['update']).toMatchObject({ changed: true, labels: { function: 'production' } });
    const second = await runJson(dir, inventory, update('{ node: node4, labels: { function: production } }'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.skipped['update']).toBe('check');
    const merged = await runJson(dir, inventory, update('{ node: node4, labels: { tier: 2 }, availability: drain }'));
    expect(merged.code, merged.stderr).toBe(0);
    const node4 = await api.node('node4');
    expect(node4?.Spec).toMatchObject({ Labels: { function: 'production', tier: '2' }, Availability: 'drain', Role: 'worker' });
  });

  it('docker.node.update replaces labels and restores availability', async () => {
    const r = await runJson(dir, inventory, update('{ node: node4, labels: { only: this }, labels_mode: replace, availability: active }'));
    expect(r.code, r.stderr).toBe(0);
    expect((await api.node('node4'))?.Spec).toMatchObject({ Labels: { only: 'this' }, Availability: 'active' });
  });

  it('docker.node.promote waits until the node is a reachable manager; twice is skipped', async () => {
    const yaml = `
name: promote
steps:
  - id: promote
    action: docker.node.promote
    with: { node: node4 }
`;
    const r = await runJson(dir, inventory, yaml);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['promote']).toMatchObject({ role: 'manager', reachability: 'reachable' });
    expect((await api.node('node4'))?.ManagerStatus?.Reachability).toBe('reachable');
    expect((await runJson(dir, inventory, yaml)).skipped['promote']).toBe('check');
  });

  it('docker.node.demote waits until ManagerStatus is gone and the node holds a worker certificate; twice is skipped', async () => {
    const yaml = `
name: demote
steps:
  - id: demote
    action: docker.node.demote
    with: { node: node4 }
`;
    const certificate = join(handle.lab.dir, 'node4', 'data', 'swarm', 'certificates', 'swarm-node.crt');
    expect(certificateRole(readFileSync(certificate, 'utf8'))).toBe('swarm-manager');
    const r = await runJson(dir, inventory, yaml);
    expect(r.code, r.stderr).toBe(0);
    // The swarm says worker at once; the node renews its certificate seconds later: the step waited for it.
    expect(certificateRole(readFileSync(certificate, 'utf8'))).toBe('swarm-worker');
    const node4 = await api.node('node4');
    expect(node4?.Spec.Role).toBe('worker');
    expect(node4?.ManagerStatus).toBeUndefined();
    expect((await runJson(dir, inventory, yaml)).skipped['demote']).toBe('check');
  });

  it('docker.node.wait returns at once when the state holds, and times out with the last state seen', async () => {
    const ok = await runJson(dir, inventory, `
name: wait
steps:
  - id: ready
    action: docker.node.wait
    with: { node: node5, until: active }
  - id: reachable
    action: docker.node.wait
    on: node2
    with: { node: node3, until: reachable }
`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.outputs['ready']).toMatchObject({ state: 'ready', availability: 'active' });
    const late = await runJson(dir, inventory, `
name: wait-down
steps:
  - id: down
    action: docker.node.wait
    with: { node: node5, until: down, timeout: 2s }
`);
    expect(late.code).toBe(1);
    expect(late.failed['down']).toMatch(/timed out after 2s waiting for node5 to be down; last seen: ready, active/);
  });
});

describe('membership', () => {
  const tokenAndJoin = `
name: join
steps:
  - id: token
    action: docker.swarm.join-token
    secret_outputs: [token]
  - id: join
    needs: [token]
    action: docker.swarm.join
    on: node5
    with: { token: "\${{ steps.token.outputs.token }}", role: worker, timeout: 60s }
`;

  it('leave and rm: the node is out of the swarm and off the list; twice is skipped', async () => {
    const yaml = `
name: remove
steps:
  - id: leave
    action: docker.swarm.leave
    on: node5
  - id: rm
    needs: [leave]
    action: docker.node.rm
    with: { node: node5, force: true }
`;
    const r = await runJson(dir, inventory, yaml);
    expect(r.code, r.stderr).toBe(0);
    expect((await api.info('node5')).Swarm.LocalNodeState).toBe('inactive');
    expect(await api.node('node5')).toBeUndefined();
    const again = await runJson(dir, inventory, yaml);
    expect(again.skipped).toEqual({ leave: 'check', rm: 'check' });
  }, 60_000);

  it('init makes a new swarm (twice is skipped); joining it elsewhere then fails clearly until it leaves with force', async () => {
    const init = `
name: init
steps:
  - id: init
    action: docker.swarm.init
    on: node5
`;
    const r = await runJson(dir, inventory, init);
    expect(r.code, r.stderr).toBe(0);
    const own = await api.info('node5');
    expect(own.Swarm).toMatchObject({ LocalNodeState: 'active', ControlAvailable: true });
    expect(own.Swarm.Cluster?.ID).not.toBe((await api.info('node1')).Swarm.Cluster?.ID);
    expect(r.outputs['init']).toMatchObject({ node_id: own.Swarm.NodeID, node_addr: handle.lab.nodes[4]?.address });
    expect((await runJson(dir, inventory, init)).skipped['init']).toBe('check');

    const wrong = await runJson(dir, inventory, tokenAndJoin);
    expect(wrong.code).toBe(1);
    expect(wrong.failed['join']).toMatch(/^node5 is already in another swarm: it is a manager of cluster \w+, not of \w+/);

    const leave = await runJson(dir, inventory, `
name: leave
steps:
  - id: leave
    action: docker.swarm.leave
    on: node5
    with: { force: true }
`);
    expect(leave.code, JSON.stringify(leave.failed)).toBe(0);
    expect((await api.info('node5')).Swarm.LocalNodeState).toBe('inactive');
  }, 90_000);

  it('join with the token in the body: node5 is a ready worker of this swarm; twice is skipped', async () => {
    const r = await runJson(dir, inventory, tokenAndJoin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['join']).toMatchObject({ swarm_state: 'active', role: 'worker' });
    expect(r.stdout + r.stderr).not.toContain('SWMTKN');
    const again = await runJson(dir, inventory, tokenAndJoin);
    expect(again.code, again.stderr).toBe(0);
    expect(again.skipped['join']).toBe('check');
    const ready = await runJson(dir, inventory, `
name: ready
steps:
  - id: ready
    action: docker.node.wait
    with: { node: node5, until: ready, timeout: 60s }
`);
    expect(ready.code, ready.stderr).toBe(0);
    expect((await api.node('node5'))?.Spec.Role).toBe('worker');
  }, 120_000);

  it('force-new-cluster is skipped on the leader of a healthy swarm and refused on a follower', async () => {
    const fnc = (on: string): string => `
name: fnc
steps:
  - id: fnc
    action: docker.swarm.init
    on: ${on}
    with: { force_new_cluster: true }
`;
    const leader = (await api.get<ApiNode[]>('node1', '/nodes')).find((n) => n.ManagerStatus?.Leader === true)?.Description?.Hostname ?? '';
    const follower = ['node1', 'node2', 'node3'].find((n) => n !== leader) ?? '';
    expect((await runJson(dir, inventory, fnc(leader))).skipped['fnc']).toBe('check');
    const refused = await runJson(dir, inventory, fnc(follower));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`force-new-cluster refused: the swarm of ${follower} still has a quorum`);
    expect((await api.get<ApiNode[]>('node1', '/nodes')).filter((n) => n.ManagerStatus !== undefined)).toHaveLength(3);
  }, 60_000);
});

describe('faults and transports', () => {
  it('a daemon that is down gives UNREACHABLE naming the node', async () => {
    const target = { name: handle.lab.name, stateDir: handle.stateDir };
    await labPower(target, 'node5', 'off', { hard: true });
    try {
      const r = await runJson(dir, inventory, `
name: down
steps:
  - id: info
    action: docker.info
    on: node5
`);
      expect(r.code).toBe(1);
      expect(r.failed['info']).toMatch(/^node5: Docker API unreachable at unix:\/\/.*docker\.sock: (connection refused|no such socket) \(is dockerd running\?\)$/);
      expect(r.events.find((e) => e['type'] === 'step.failed')?.['code']).toBe('UNREACHABLE');
    } finally {
      await labPower(target, 'node5', 'on');
    }
  }, 60_000);

  it('reaches the API over SSH with the host key checked, and refuses an unknown key', async () => {
    const text = readFileSync(inventory, 'utf8');
    const viaSsh = join(dir, 'ssh-inventory.yaml');
    writeFileSync(viaSsh, text.replace(/docker:\n\s+socket: [^\n]+/g, 'docker:\n      via: ssh'));
    const yaml = `
name: over-ssh
steps:
  - id: info
    action: docker.info
    on: node2
  - id: nodes
    action: docker.node.wait
    with: { node: node3, until: ready }
`;
    const r = await runJson(dir, viaSsh, yaml);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['info']).toMatchObject({ name: 'node2', is_manager: true });
    const empty = join(dir, 'known_hosts_empty');
    writeFileSync(empty, '');
    const strict = join(dir, 'strict-inventory.yaml');
    writeFileSync(strict, readFileSync(viaSsh, 'utf8').replace(/known_hosts: [^\n]+/, `known_hosts: ${empty}`));
    const refused = await runJson(dir, strict, yaml);
    expect(refused.code).toBe(1);
    expect(refused.failed['info']).toMatch(/node2 \(root@[\d.]+:22\): unknown host key ssh-ed25519 SHA256:/);
  }, 60_000);
});
