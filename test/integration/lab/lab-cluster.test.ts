/**
 * A 5-node lab with 3 managers, a swarm and the registry, checked with real sshd, dockerd and HTTP:
 * identity of each node over SSH, swarm membership, the registry, a service pulled from it, power cycles,
 * quorum loss, and a teardown that leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labPower, labStatus, formatLabStatus, type LabDescription } from '../../../engine/lab/commands.js';
import { labLeftovers, withLab, type LabHandle } from '../../helpers/lab.js';

const run = promisify(execFile);

let handle: LabHandle | undefined;
let lab: LabDescription;
let inventory: {
  defaults: { ssh: { identity: string; known_hosts: string }; power: { off: string; on: string } };
  nodes: { name: string; address: string; role: string; docker: { socket: string } }[];
  stacks: { name: string; compose: string; health: string }[];
  groups: Record<string, string[]>;
};

function node(name: string): LabDescription['nodes'][number] {
  const n = lab.nodes.find((x) => x.name === name);
  if (n === undefined) throw new Error(`no node ${name}`);
  return n;
}

async function docker(nodeName: string, args: string[], timeoutMs = 20_000): Promise<string> {
  const { stdout } = await run('docker', ['-H', `unix://${node(nodeName).dockerSocket}`, ...args], { timeout: timeoutMs });
  return stdout;
}

interface NodeRow {
  Hostname: string;
  Status: string;
  ManagerStatus: string;
}

async function nodeRows(via: string): Promise<NodeRow[]> {
  const out = await docker(via, ['node', 'ls', '--format', '{{json .}}'], 10_000);
  return out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as NodeRow);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms (${String(last)})`);
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function ssh(address: string, alias: string, command: string): Promise<{ stdout: string }> {
  return run(
    'ssh',
    [
      '-i', inventory.defaults.ssh.identity,
      '-o', `UserKnownHostsFile=${inventory.defaults.ssh.known_hosts}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `HostKeyAlias=${alias}`,
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=5',
      `root@${address}`,
      command,
    ],
    { timeout: 20_000 },
  );
}

describe('a 5-node lab with 3 managers, swarm and registry', () => {
  beforeAll(async () => {
    handle = await withLab({ nodes: 5, managers: 3, swarm: true, registry: true });
    lab = handle.lab;
    inventory = parse(readFileSync(lab.inventory, 'utf8')) as typeof inventory;
  }, 180_000);

  afterAll(async () => {
    await handle?.down();
  }, 120_000);

  it('writes an inventory of its nodes, registry group and stack, and power commands with {node}', () => {
    expect(inventory.nodes.map((n) => [n.name, n.role])).toEqual([
      ['node1', 'manager'],
      ['node2', 'manager'],
      ['node3', 'manager'],
      ['node4', 'worker'],
      ['node5', 'worker'],
    ]);
    expect(new Set(inventory.nodes.map((n) => n.address)).size).toBe(5);
    expect(inventory.nodes[0]?.docker.socket).toBe(node('node1').dockerSocket);
    expect(inventory.groups['registry']).toEqual(['node1']);
    expect(inventory.stacks[0]).toMatchObject({ name: 'registry', health: `http://${node('node1').address}:5000/v2/` });
    expect(inventory.defaults.power.off).toMatch(/bin\/runbook\.js lab power off \{node\} --name /);
    expect(lab.registry).toBe(`${node('node1').address}:5000`);
  });

  it('answers SSH on every node with its own host key and hostname, and reaches its own dockerd', async () => {
    for (const n of lab.nodes) {
      const byAddress = await ssh(n.address, n.address, 'hostname; docker info --format "{{.Name}}"; echo $HOME');
      const [hostname, dockerName, home] = byAddress.stdout.trim().split('\n');
      expect(hostname).toBe(n.name);
      expect(dockerName).toBe(n.name);
      expect(home).toContain(`/${n.name}/home`);
      // The same key is known under the node's name too.
      expect((await ssh(n.address, n.name, 'hostname')).stdout.trim()).toBe(n.name);
    }
    // Another node's key under this node's name is refused.
    await expect(ssh(node('node2').address, 'node1', 'true')).rejects.toThrow();
  }, 60_000);

  it('has a swarm of 5 Ready nodes, 3 of them managers', async () => {
    const rows = await nodeRows('node1');
    expect(rows.map((r) => r.Hostname).sort()).toEqual(['node1', 'node2', 'node3', 'node4', 'node5']);
    expect(rows.every((r) => r.Status === 'Ready')).toBe(true);
    expect(rows.filter((r) => r.ManagerStatus !== '').length).toBe(3);
  });

  it('serves the registry on the first manager, holding the lab busybox image', async () => {
    const root = await httpGet(`http://${lab.registry ?? ''}/v2/`);
    expect(root.status).toBe(200);
    const tags = await httpGet(`http://${lab.registry ?? ''}/v2/lab/busybox/tags/list`);
    expect(JSON.parse(tags.body)).toMatchObject({ name: 'lab/busybox', tags: ['1'] });
  });

  it('converges a 5-replica service of the registry image across the nodes', async () => {
    await docker('node1', [
      'service', 'create', '--detach', '--name', 'spread', '--replicas', '5', '--stop-grace-period', '1s',
      `${lab.registry ?? ''}/lab/busybox:1`, 'sleep', '3600',
    ]);
    const nodesRunning = await waitFor('5 running tasks', 90_000, async () => {
      const out = await docker('node1', ['service', 'ps', 'spread', '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}']);
      const running = out.trim().split('\n').filter((l) => / Running /.test(l));
      return running.length === 5 ? running.map((l) => l.split(' ')[0]) : undefined;
    });
    expect(new Set(nodesRunning).size).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('powers a worker off (Down) and on again (Ready)', async () => {
    const target = { name: lab.name, dir: lab.dir, stateDir: handle!.stateDir };
    await labPower(target, 'node5', 'off');
    expect((await labStatus(target)).nodes.find((n) => n.name === 'node5')).toMatchObject({ dockerd: false, sshd: false });
    await waitFor('node5 Down', 60_000, async () =>
      (await nodeRows('node1')).find((r) => r.Hostname === 'node5')?.Status === 'Down' ? true : undefined,
    );
    await labPower(target, 'node5', 'on');
    await waitFor('node5 Ready', 60_000, async () =>
      (await nodeRows('node1')).find((r) => r.Hostname === 'node5')?.Status === 'Ready' ? true : undefined,
    );
    expect((await ssh(node('node5').address, 'node5', 'hostname')).stdout.trim()).toBe('node5');
  }, 150_000);

  it('refuses unknown nodes with a message naming the real ones', async () => {
    const target = { name: lab.name, dir: lab.dir, stateDir: handle!.stateDir };
    await expect(labPower(target, 'node9', 'off')).rejects.toMatchObject({ code: 'INVALID', message: expect.stringContaining('node1, node2') });
  });

  it('loses quorum when 2 of 3 managers are hard powered off: writes are refused', async () => {
    const target = { name: lab.name, dir: lab.dir, stateDir: handle!.stateDir };
    await labPower(target, 'node2', 'off', { hard: true });
    await labPower(target, 'node3', 'off', { hard: true });
    const refused = await waitFor('a refused swarm write', 90_000, async () => {
      try {
        await docker('node1', ['node', 'update', '--label-add', `probe=${Date.now()}`, 'node4'], 25_000);
        return undefined;
      } catch (e) {
        // An error answer, or no answer at all within the deadline: either way the write did not happen.
        const err = e as { stderr?: string; killed?: boolean; message?: string };
        return `${err.stderr ?? ''} ${err.killed === true ? 'killed: no answer within 25 s' : ''} ${err.message ?? ''}`;
      }
    });
    expect(refused).toMatch(/leader|quorum|deadline|raft|timed out|killed|SIGTERM/i);
    const status = await labStatus(target);
    expect(status.nodes.filter((n) => !n.dockerd).map((n) => n.name)).toEqual(['node2', 'node3']);
    expect(formatLabStatus(status)).toMatch(/node2\s+\S+\s+manager\s+down/);
    // A hard-killed manager boots again on its old data, and with it the swarm regains quorum.
    await labPower(target, 'node2', 'on');
    await waitFor('node2 Ready with quorum back', 90_000, async () =>
      (await nodeRows('node1')).find((r) => r.Hostname === 'node2')?.Status === 'Ready' ? true : undefined,
    );
  }, 210_000);

  it('leaves no namespace, process, link, iptables rule, mount, cgroup or file behind when taken down', async () => {
    const target = { name: lab.name, dir: lab.dir, stateDir: handle!.stateDir };
    const { labDown } = await import('../../../engine/lab/commands.js');
    const started = Date.now();
    const { removed } = await labDown(target);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(removed.some((r) => r.startsWith('netns '))).toBe(true);
    expect(removed.some((r) => r.startsWith('bridge '))).toBe(true);
    expect(labLeftovers(lab)).toEqual([]);
    expect((await labDown(target)).removed).toEqual([]);
  }, 60_000);
});
