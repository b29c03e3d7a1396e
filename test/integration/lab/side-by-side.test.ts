/**
 * Two labs at once: a plain one and one shaped like an inventory. They get distinct subnets, bridges and
 * namespaces, cannot reach each other, and each swarm holds only its own nodes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labDown, labUp, labUpShaped, type LabDescription, type LabShapedDescription } from '../../../engine/lab/commands.js';
import type { Inventory, InventoryNode, NodeName } from '../../../engine/inventory/types.js';
import { labLeftovers, uniqueLabName } from '../../helpers/lab.js';

const run = promisify(execFile);

const stateDir = mkdtempSync(join(tmpdir(), 'rbl-'));
const nameA = uniqueLabName();
const nameB = uniqueLabName();
let a: LabDescription | undefined;
let b: LabShapedDescription | undefined;

function invNode(name: string, role: 'manager' | 'worker', labels: Record<string, string>): InventoryNode {
  return {
    name: name as NodeName,
    address: '192.0.2.250',
    role,
    labels,
    ssh: { user: 'root', port: 22, hostKey: 'strict' },
    docker: { type: 'socket', socket: '/var/run/docker.sock' },
    power: { off: 'manual', on: 'manual' },
    source: { file: 'inventory.yaml', line: 1, col: 1 },
  };
}

const composeFile = join(stateDir, 'web.yml');
writeFileSync(composeFile, 'version: "3.8"\nservices:\n  web:\n    image: lab/busybox:1\n    command: sleep 3600\n');

const shape: Inventory = {
  cluster: 'dccn',
  nodes: [
    invNode('dccn-c001', 'manager', { function: 'production' }),
    invNode('dccn-c002', 'worker', { function: 'production' }),
    invNode('dccn-c003', 'worker', { function: 'test' }),
  ],
  groups: {
    all: ['dccn-c001', 'dccn-c002', 'dccn-c003'] as NodeName[],
    managers: ['dccn-c001'] as NodeName[],
    workers: ['dccn-c002', 'dccn-c003'] as NodeName[],
    registry: ['dccn-c001'] as NodeName[],
    storage: ['dccn-c003'] as NodeName[],
  },
  stacks: [
    { name: 'registry', compose: '/mnt/docker/registry.yml', health: 'http://dccn-c001:5000/v2/' },
    { name: 'web', compose: composeFile, health: 'http://dccn-c002:8080/' },
    { name: 'stager', compose: '/nonexistent/stager.yml' },
  ],
  file: 'inventory.yaml',
  hash: 'x',
};

async function inNode(lab: LabDescription, nodeName: string, args: string[]): Promise<number> {
  try {
    await run('nsenter', [`--net=/var/run/netns/rbl-${lab.name}-${nodeName}`, '--', ...args], { timeout: 10_000 });
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? 1;
  }
}

async function hostnames(lab: LabDescription, via: string): Promise<string[]> {
  const socket = lab.nodes.find((n) => n.name === via)!.dockerSocket;
  const { stdout } = await run('docker', ['-H', `unix://${socket}`, 'node', 'ls', '--format', '{{.Hostname}}'], { timeout: 10_000 });
  return stdout.trim().split('\n').sort();
}

describe('two labs side by side', () => {
  beforeAll(async () => {
    const results = await Promise.allSettled([
      labUp({ name: nameA, stateDir, nodes: 2, managers: 1, swarm: true, registry: false }),
      labUpShaped({ name: nameB, stateDir, inventory: shape, registry: false }),
    ]);
    if (results[0].status === 'fulfilled') a = results[0].value;
    if (results[1].status === 'fulfilled') b = results[1].value;
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }, 180_000);

  afterAll(async () => {
    await labDown({ name: nameA, stateDir });
    await labDown({ name: nameB, stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('gives each lab its own subnet, bridge and namespaces', () => {
    expect(a!.subnet).not.toBe(b!.subnet);
    expect(a!.bridge).not.toBe(b!.bridge);
    expect(a!.bridge.length).toBeLessThanOrEqual(15);
    expect(a!.subnet).toMatch(/^10\.(23[1-9]|24\d|250)\.\d+\.0\/24$/);
  });

  it('keeps the labs apart: a node of one cannot reach a node of the other', async () => {
    const a1 = a!.nodes[0]!;
    const b1 = b!.nodes[0]!;
    const probe = (address: string): string[] => ['timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${address}/22`];
    expect(await inNode(a!, a1.name, probe(a!.nodes[1]!.address))).toBe(0);
    expect(await inNode(a!, a1.name, probe(b1.address))).not.toBe(0);
    expect(await inNode(b!, b1.name, probe(a1.address))).not.toBe(0);
    expect(await hostnames(a!, a1.name)).toEqual(['node1', 'node2']);
    expect(await hostnames(b!, b1.name)).toEqual(['dccn-c001', 'dccn-c002', 'dccn-c003']);
  }, 60_000);

  it('shapes a lab like the inventory: names, roles, labels, groups and existing stacks', async () => {
    const socket = b!.nodes[0]!.dockerSocket;
    const { stdout } = await run(
      'docker',
      ['-H', `unix://${socket}`, 'node', 'inspect', 'dccn-c003', '--format', '{{json .Spec.Labels}} {{.Spec.Role}}'],
      { timeout: 10_000 },
    );
    expect(stdout.trim()).toBe('{"function":"test"} worker');
    expect(b!.nodes.map((n) => [n.name, n.role])).toEqual([
      ['dccn-c001', 'manager'],
      ['dccn-c002', 'worker'],
      ['dccn-c003', 'worker'],
    ]);
    const inv = parse(readFileSync(b!.inventory, 'utf8')) as {
      cluster: string;
      groups: Record<string, string[]>;
      stacks: { name: string; compose: string; health?: string }[];
    };
    expect(inv.cluster).toBe(nameB);
    expect(inv.groups).toEqual({ registry: ['dccn-c001'], storage: ['dccn-c003'] });
    expect(inv.stacks.map((s) => s.name)).toEqual(['web']);
    expect(readFileSync(inv.stacks[0]!.compose, 'utf8')).toContain('lab/busybox:1');
    expect(inv.stacks[0]!.health).toBe(`http://${b!.nodes[1]!.address}:8080/`);
    expect(b!.warnings.join('\n')).toMatch(/stager .*does not exist/);
    expect(b!.warnings.join('\n')).toMatch(/registry skipped/);
  }, 30_000);

  it('refuses a second lab of the same name, and bad counts, saying what to write', async () => {
    await expect(labUp({ name: nameA, stateDir, nodes: 2, managers: 1, swarm: false, registry: false })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('lab down'),
    });
    await expect(labUp({ name: 'x', stateDir, nodes: 2, managers: 3, swarm: true, registry: false })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('--managers'),
    });
    await expect(labUp({ name: 'Bad_Name', stateDir, nodes: 1, managers: 1, swarm: false, registry: false })).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('takes both down completely, and a second down finds nothing; the other lab lives on meanwhile', async () => {
    await labDown({ name: a!.name, stateDir });
    expect(labLeftovers(a!)).toEqual([]);
    expect((await labDown({ name: a!.name, stateDir })).removed).toEqual([]);
    // A's down signalled only A's processes: B's swarm still answers, with all its nodes.
    expect(await hostnames(b!, 'dccn-c001')).toEqual(['dccn-c001', 'dccn-c002', 'dccn-c003']);
    await labDown({ name: b!.name, stateDir });
    expect(labLeftovers(b!)).toEqual([]);
    expect((await labDown({ name: b!.name, stateDir })).removed).toEqual([]);
  }, 60_000);
});
