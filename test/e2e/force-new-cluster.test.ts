/**
 * The force-new-cluster runbook on a 5-node lab with 3 managers and a service. On a healthy swarm it
 * refuses (exit 3) and changes nothing. With one manager off and another cut off from Raft but running, the
 * quorum is lost and the runbook still refuses: forcing a new cluster then would fork it. With 2 of the 3
 * managers powered off hard, the quorum is lost; the
 * runbook forces a new cluster on the survivor, powers the lost managers on, wipes and joins them again,
 * and the swarm is writable with 3 reachable managers, one entry per node, the labels kept and the
 * service still defined (checked through the Engine API). Run again, it refuses and changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPower } from '../../engine/lab/commands.js';
import { netnsName } from '../../engine/lab/names.js';
import { createDockerClient } from '../../engine/io/docker/client.js';
import type { DockerPort, DockerRequest } from '../../engine/io/ports.js';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

interface SwarmNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role: string; Availability: string; Labels?: Record<string, string> };
  Description?: { Hostname?: string };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

interface Service {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string };
}

let handle: LabHandle;
let docker: DockerPort;
let state: string;

function api<T>(node: string, request: DockerRequest, timeoutMs = 10_000): Promise<T> {
  const n = handle.lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new Error(`no node ${node}`);
  return docker.request<T>({ name: n.name, endpoint: { type: 'socket', socket: n.dockerSocket } }, { timeoutMs, ...request }, new AbortController().signal);
}

const nodes = (): Promise<SwarmNode[]> => api<SwarmNode[]>('node1', { method: 'GET', path: '/nodes' });
const services = (): Promise<Service[]> => api<Service[]>('node1', { method: 'GET', path: '/services' });

/** What a refused run must leave exactly as it was. */
async function snapshot(): Promise<unknown> {
  const ns = (await nodes()).map((n) => ({ id: n.ID, v: n.Version.Index, role: n.Spec.Role, ms: n.ManagerStatus?.Reachability ?? '' }));
  const ss = (await services()).map((s) => ({ id: s.ID, v: s.Version.Index, name: s.Spec.Name }));
  return { nodes: ns.sort((a, b) => a.id.localeCompare(b.id)), services: ss.sort((a, b) => a.id.localeCompare(b.id)) };
}

async function fnc(extra: readonly string[]): Promise<{ code: number | null; out: string }> {
  const r = await runCli(['run', 'force-new-cluster', '-i', handle.lab.inventory, '--state-dir', state, ...extra]);
  return { code: r.code, out: r.stderr + r.stdout };
}

/** Drops a node's Raft traffic (port 2377, both ways) inside its own namespace: up, but cut off. */
function raftPartition(node: string, on: boolean): void {
  for (const chain of [['INPUT', '--dport'], ['OUTPUT', '--dport']] as const) {
    const rule = [chain[0], '-p', 'tcp', chain[1], '2377', '-j', 'DROP'];
    execFileSync('nsenter', [`--net=/var/run/netns/${netnsName(handle.lab.name, node)}`, 'iptables', '-w', '10', on ? '-I' : '-D', ...rule]);
  }
}

const quorumLost = async (): Promise<boolean> => {
  try {
    await nodes();
    return false;
  } catch {
    return true;
  }
};

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

beforeAll(async () => {
  handle = await withLab({ nodes: 5, managers: 3, swarm: true });
  docker = createDockerClient();
  state = workspace();
  await api('node1', {
    method: 'POST',
    path: '/services/create',
    body: {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'lab/busybox:1', Command: ['sleep', '3600'], StopGracePeriod: 1_000_000_000 } },
      Mode: { Replicated: { Replicas: 2 } },
    },
  });
  const node2 = (await nodes()).find((n) => n.Description?.Hostname === 'node2');
  if (node2 === undefined) throw new Error('node2 is not in the swarm');
  await api('node1', {
    method: 'POST',
    path: `/nodes/${node2.ID}/update`,
    query: { version: node2.Version.Index },
    body: { ...node2.Spec, Labels: { function: 'production' } },
  });
}, 240_000);

afterAll(async () => {
  await docker?.close();
  await handle?.down();
}, 120_000);

describe('force-new-cluster', () => {
  it('refuses on a healthy swarm (exit 3) and changes nothing', async () => {
    const before = await snapshot();
    const gated = await fnc([]);
    expect(gated.code).toBe(3);
    const r = await fnc(['--yes']);
    expect(r.code, r.out).toBe(3);
    expect(r.out).toContain('force-new-cluster refused: the swarm of node1 still has a quorum');
    expect(await snapshot()).toEqual(before);
  }, 90_000);

  it('refuses without a quorum while another old manager runs cut off from it (it would fork the cluster)', async () => {
    const target = { name: handle.lab.name, stateDir: handle.stateDir };
    raftPartition('node3', true);
    try {
      await labPower(target, 'node2', 'off', { hard: true });
      await until('node1 to lose its quorum', 120_000, quorumLost);
      const r = await fnc(['--yes']);
      expect(r.code, r.out).toBe(3);
      expect(r.out).toContain('force-new-cluster refused: the daemon of node3 still runs as a manager of the old swarm');
      // Nothing was forced: the step never started, node1 and node3 are still managers of the old swarm, and
      // node1 still has no quorum (a forced cluster would answer GET /nodes at once).
      expect(r.out).not.toMatch(/▶ force-new-cluster@node1 started/);
      for (const node of ['node1', 'node3']) {
        const info = await api<{ Swarm: { LocalNodeState?: string; ControlAvailable?: boolean } }>(node, { method: 'GET', path: '/info' });
        expect(info.Swarm, node).toMatchObject({ LocalNodeState: 'active', ControlAvailable: true });
      }
      expect(await quorumLost()).toBe(true);
    } finally {
      await labPower(target, 'node3', 'off', { hard: true });
      raftPartition('node3', false);
    }
  }, 240_000);

  it('rebuilds a writable 3-manager cluster after 2 of 3 managers were lost, keeping the service', async () => {
    const target = { name: handle.lab.name, stateDir: handle.stateDir };
    await labPower(target, 'node2', 'off', { hard: true });
    await labPower(target, 'node3', 'off', { hard: true });
    // The survivor only notices the lost quorum after the election timeout.
    await until('node1 to lose its quorum', 120_000, quorumLost);

    const r = await fnc(['--yes', '--input', 'expect_services=[web]']);
    expect(r.code, r.out).toBe(0);

    const after = await nodes();
    const byName = (name: string): SwarmNode[] => after.filter((n) => n.Description?.Hostname === name);
    for (const name of ['node1', 'node2', 'node3', 'node4', 'node5']) expect(byName(name), name).toHaveLength(1);
    const managers = after.filter((n) => n.ManagerStatus !== undefined && n.ManagerStatus !== null);
    expect(managers.map((n) => n.Description?.Hostname).sort()).toEqual(['node1', 'node2', 'node3']);
    expect(managers.every((n) => n.ManagerStatus?.Reachability === 'reachable')).toBe(true);
    expect(byName('node1')[0]?.ManagerStatus?.Leader).toBe(true);
    expect(after.every((n) => n.Status?.State === 'ready')).toBe(true);
    // node2 joined again as a new entry; its label came back with it.
    expect(byName('node2')[0]?.Spec.Labels).toEqual({ function: 'production' });
    expect((await services()).map((s) => s.Spec.Name)).toContain('web');

    // Writable: a label update goes through, and the joined managers see the same swarm.
    const node4 = byName('node4')[0];
    if (node4 === undefined) throw new Error('node4 missing');
    await api('node1', { method: 'POST', path: `/nodes/${node4.ID}/update`, query: { version: node4.Version.Index }, body: { ...node4.Spec, Labels: { zone: 'a' } } });
    const seenBy3 = await api<SwarmNode>('node3', { method: 'GET', path: `/nodes/${node4.ID}` });
    expect(seenBy3.Spec.Labels).toEqual({ zone: 'a' });
  }, 300_000);

  it('refuses when run again on the recovered cluster and changes nothing', async () => {
    const before = await snapshot();
    const r = await fnc(['--yes']);
    expect(r.code, r.out).toBe(3);
    expect(r.out).toContain('still has a quorum');
    expect(await snapshot()).toEqual(before);
  }, 90_000);
});
