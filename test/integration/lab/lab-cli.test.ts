/**
 * The `runbook lab` commands as an operator types them, with an explicit `--dir`: up prints where the
 * inventory is, status shows each node's daemons and the swarm's view, power off --hard and on change
 * what status shows, down removes everything and a second down finds nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, workspace } from '../../helpers/cli.js';
import { labLeftovers, uniqueLabName } from '../../helpers/lab.js';

const name = uniqueLabName();
const dir = join(workspace(), 'lab');
const where = ['--name', name, '--dir', dir];
let bridge = '';

function row(status: string, node: string): string {
  return status.split('\n').find((l) => l.startsWith(`${node} `)) ?? '';
}

afterAll(async () => {
  await runCli(['lab', 'down', ...where]);
}, 120_000);

describe('runbook lab up | status | power | down', () => {
  it('brings a 2-node swarm up in the given directory and writes its inventory there', async () => {
    const r = await runCli(['lab', 'up', ...where, '--nodes', '2', '--managers', '1', '--swarm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`lab ${name} is up: 2 nodes on `);
    expect(r.stdout).toContain(`inventory: ${join(dir, 'inventory.yaml')}`);
    const inventory = parse(readFileSync(join(dir, 'inventory.yaml'), 'utf8')) as { nodes: { name: string; role: string }[] };
    expect(inventory.nodes.map((n) => `${n.name}:${n.role}`)).toEqual(['node1:manager', 'node2:worker']);
  }, 180_000);

  it('status shows both nodes up and the swarm as node1 sees it', async () => {
    const r = await runCli(['lab', 'status', ...where]);
    expect(r.code, r.stderr).toBe(0);
    bridge = /bridge (\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(bridge).not.toBe('');
    expect(row(r.stdout, 'node1')).toMatch(/manager\s+up\s+up\s+ready\/active\s+leader/);
    expect(row(r.stdout, 'node2')).toMatch(/worker\s+up\s+up\s+ready\/active/);
    expect(r.stdout).toContain('swarm: 2 nodes, seen from node1');
  }, 60_000);

  it('power off --hard takes node2 dark; power on brings it back in the swarm', async () => {
    const off = await runCli(['lab', 'power', 'off', 'node2', ...where, '--hard']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr + off.stdout).toContain('node2: power off (hard)');
    expect(row((await runCli(['lab', 'status', ...where])).stdout, 'node2')).toMatch(/worker\s+down\s+down/);

    const on = await runCli(['lab', 'power', 'on', 'node2', ...where]);
    expect(on.code, on.stderr).toBe(0);
    let status = '';
    for (let i = 0; i < 60 && !/ready\/active/.test(row(status, 'node2')); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await runCli(['lab', 'status', ...where])).stdout;
    }
    expect(row(status, 'node2')).toMatch(/worker\s+up\s+up\s+ready\/active/);
  }, 120_000);

  it('rejects an unknown power state and an unknown node, saying what to write', async () => {
    const state = await runCli(['lab', 'power', 'sideways', 'node2', ...where]);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('write `lab power on NODE`');
    const node = await runCli(['lab', 'power', 'off', 'node9', ...where]);
    expect(node.code).toBe(2);
    expect(node.stderr).toContain('write one of: node1, node2');
    expect(node.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('down removes everything it made; a second down finds nothing', async () => {
    const r = await runCli(['lab', 'down', ...where]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`lab ${name} removed \\(\\d+ items\\)`));
    expect(labLeftovers({ name, dir, bridge })).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    const again = await runCli(['lab', 'down', ...where]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`lab ${name}: nothing to remove`);
  }, 60_000);
});
