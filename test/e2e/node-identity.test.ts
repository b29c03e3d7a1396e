/**
 * Node identity against a real lab: an inventory whose node2 reaches node1's Docker daemon, or node3's SSH
 * host, has its changing steps on node2 refused (exit 3) naming both hosts, with nothing changed on the
 * cluster; reads there are not blocked; what answered is journaled at first contact, and a resume that
 * meets another host than the one recorded is refused.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { JournalRecord } from '../../engine/journal/records.js';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;
let dir: string;

interface WrittenNode {
  name: string;
  address: string;
  docker: { socket: string };
}

const LABEL = `
name: label-node2
steps:
  - id: look
    action: docker.info
    on: node2
  - id: probe
    action: ssh.run
    on: node2
    with: { command: "uname -n", read_only: true }
  - id: label
    needs: [look, probe]
    action: docker.node.update
    on: node2
    with: { node: node1, labels: { identity: "wrong" } }
`;

const TOUCH = `
name: touch-node2
inputs:
  flag: { type: string, required: true }
steps:
  - id: first
    action: ssh.run
    on: node2
    with: { command: "uname -n" }
  - id: gate
    needs: [first]
    action: shell
    with: { command: "test -e \${{ inputs.flag }}" }
  - id: again
    needs: [gate]
    action: ssh.run
    on: node2
    with: { command: "uname -n" }
`;

/** The lab's inventory with `change` applied to its nodes, written as `file`. */
function inventoryWith(file: string, change: (nodes: WrittenNode[]) => void): string {
  const inventory = parse(readFileSync(handle.lab.inventory, 'utf8')) as { nodes: WrittenNode[] };
  change(inventory.nodes);
  const path = join(dir, file);
  writeFileSync(path, stringify(inventory));
  return path;
}

function node(nodes: WrittenNode[], name: string): WrittenNode {
  const found = nodes.find((n) => n.name === name);
  if (found === undefined) throw new Error(`no ${name} in the lab inventory`);
  return found;
}

function labels(name: string): Record<string, string> {
  const manager = handle.lab.nodes.find((n) => n.name === 'node1');
  const out = execFileSync('docker', ['-H', `unix://${manager?.dockerSocket ?? ''}`, 'node', 'inspect', name, '--format', '{{json .Spec.Labels}}'], { encoding: 'utf8' });
  return (JSON.parse(out) ?? {}) as Record<string, string>;
}

function journal(state: string): JournalRecord[] {
  const [runId] = readdirSync(join(state, 'runs'));
  return readFileSync(join(state, 'runs', runId as string, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JournalRecord);
}

function runId(state: string): string {
  return readdirSync(join(state, 'runs'))[0] as string;
}

const cli = (args: readonly string[], inventory: string, state: string) =>
  runCli([...args, '-i', inventory, '--state-dir', join(dir, state), '--runbooks', dir]);

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true });
  dir = workspace({ 'label-node2.yaml': LABEL, 'touch-node2.yaml': TOUCH });
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

describe('node identity', () => {
  it('node2 pointed at node1’s daemon and node3’s SSH host: reads pass, the change is refused naming both hosts', async () => {
    const inventory = inventoryWith('shared.yaml', (nodes) => {
      node(nodes, 'node2').docker = { ...node(nodes, 'node1').docker };
      node(nodes, 'node2').address = node(nodes, 'node3').address;
    });
    const r = await cli(['run', 'label-node2', '--yes'], inventory, 'shared');
    expect(r.code).toBe(3);
    const socket = node((parse(readFileSync(inventory, 'utf8')) as { nodes: WrittenNode[] }).nodes, 'node1').docker.socket;
    expect(r.stdout + r.stderr).toContain(`node2: the Docker API at unix://${socket} answers as host "node1" (swarm node `);
    expect(r.stdout + r.stderr).toContain('not node2 — every node of this inventory may point at the same daemon; give node2 docker: { via: ssh } or its own host');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(labels('node1')).toEqual({});

    const records = journal(join(dir, 'shared'));
    const byInstance = new Map(records.flatMap((x) => ('instance' in x ? [[x.instance, x] as const] : [])));
    expect(byInstance.get('look')).toMatchObject({ type: 'step.succeeded' });
    expect(byInstance.get('probe')).toMatchObject({ type: 'step.succeeded', outputs: { stdout: 'node3' } });
    expect(byInstance.get('label')).toMatchObject({ type: 'step.skipped', reason: 'refused' });
    expect(records.some((x) => x.type === 'step.started' && x.instance === 'label')).toBe(false);
    // Refused hosts are not recorded as the node: nothing answered as node2.
    expect(records.filter((x) => x.type === 'node.identified')).toEqual([]);
    expect(records.at(-1)).toMatchObject({ type: 'run.finished', status: 'refused' });
  });

  it('records who answered at first contact, and refuses a resume that reaches another host', async () => {
    const flag = join(dir, 'flag');
    const good = inventoryWith('good.yaml', () => undefined);
    const first = await cli(['run', 'touch-node2', '--yes', '--input', `flag=${flag}`], good, 'resume');
    expect(first.code).toBe(1);
    const state = join(dir, 'resume');
    const identified = journal(state).filter((x) => x.type === 'node.identified');
    const address = node((parse(readFileSync(good, 'utf8')) as { nodes: WrittenNode[] }).nodes, 'node2').address;
    expect(identified).toEqual([
      expect.objectContaining({ node: 'node2', via: 'ssh', hostname: 'node2', endpoint: `ssh://root@${address}:22` }),
    ]);
    const shown = await runCli(['show', runId(state), '--state-dir', state]);
    expect(shown.stdout).toContain(`◆ node2 (ssh) is host "node2" at ssh://root@${address}:22`);

    // The same file, node2 and node3 swapped: an operator's edit that --force lets through.
    inventoryWith('good.yaml', (nodes) => {
      const two = node(nodes, 'node2');
      const three = node(nodes, 'node3');
      [two.address, three.address] = [three.address, two.address];
    });
    writeFileSync(flag, '');
    const resumed = await cli(['resume', runId(state), '--yes', '--force'], good, 'resume');
    expect(resumed.code).toBe(3);
    expect(resumed.stdout + resumed.stderr).toContain(
      `node2: SSH to root@${node((parse(readFileSync(good, 'utf8')) as { nodes: WrittenNode[] }).nodes, 'node2').address}:22 reaches host "node3", ` +
        `but this run first reached node2 at ssh://root@${address}:22 as host "node2"`,
    );
    const records = journal(state);
    expect(records.filter((x) => x.type === 'step.succeeded' && x.instance === 'gate')).toHaveLength(1);
    expect(records.filter((x) => x.type === 'step.started' && x.instance === 'again')).toEqual([]);
    expect(records.at(-1)).toMatchObject({ type: 'run.finished', status: 'refused' });
  });
});
