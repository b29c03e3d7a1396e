/**
 * `--limit` against a real lab: plan and run leave the excluded node alone — the steps that run on it and the
 * steps about it (`with.node`) — and say so; a limit naming nothing exits 2 with nothing run; the limit is
 * journaled and a resume keeps it, unless it is given again.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../engine/journal/records.js';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;
let dir: string;
let state: string;
let flag: string;

const RUNBOOK = `
name: limited
inputs:
  flag: { type: string, required: true }
steps:
  - id: hello
    action: ssh.run
    on: all
    with: { command: "hostname" }
  - id: label
    needs: [hello]
    foreach: [node1, node2, node3]
    action: docker.node.update
    with: { node: "\${{ item }}", labels: { limited: "yes" } }
  - id: gate
    needs: [label]
    action: shell
    with: { command: "test -e \${{ inputs.flag }}" }
  - id: after
    needs: [gate]
    action: ssh.run
    on: all
    with: { command: "hostname" }
`;

function labels(node: string): Record<string, string> {
  const manager = handle.lab.nodes.find((n) => n.name === 'node1');
  const out = execFileSync('docker', ['-H', `unix://${manager?.dockerSocket ?? ''}`, 'node', 'inspect', node, '--format', '{{json .Spec.Labels}}'], { encoding: 'utf8' });
  return (JSON.parse(out) ?? {}) as Record<string, string>;
}

function runIds(): string[] {
  try {
    return readdirSync(join(state, 'runs')).sort();
  } catch {
    return [];
  }
}

function journal(runId: string): JournalRecord[] {
  return readFileSync(join(state, 'runs', runId, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JournalRecord);
}

/** The last record of each instance in the journal's segment `n` (1 = the first start, 2 = the first resume). */
function segment(records: readonly JournalRecord[], n: number): Map<string, JournalRecord> {
  const out = new Map<string, JournalRecord>();
  let seen = 0;
  for (const r of records) {
    if (r.type === 'run.started') seen += 1;
    else if (seen === n && 'instance' in r) out.set(r.instance, r);
  }
  return out;
}

const cli = (args: readonly string[]) => runCli([...args, '-i', handle.lab.inventory, '--state-dir', state, '--runbooks', dir]);

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true });
  dir = workspace({ 'limited.yaml': RUNBOOK });
  state = join(dir, 'state');
  flag = join(dir, 'flag');
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

describe('--limit', () => {
  it('plan shows what the limit leaves out as skipped, and probes nothing of it', async () => {
    const r = await cli(['plan', 'limited', '--input', `flag=${flag}`, '--limit', 'all:!node2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('limit: all:!node2');
    expect(r.stdout).toContain('hello@node2 on node2 — skipped: node2 is outside --limit all:!node2');
    expect(r.stdout).toMatch(/hello@node1 on node1\n/);
    expect(r.stdout).toContain('label[node2] on node1 — skipped: node2 is outside --limit all:!node2');
    expect(r.stdout).toMatch(/label\[node3\] on node1 — check: would run/);
  });

  it('a limit that names nothing of the inventory, or leaves no node, exits 2 and runs nothing', async () => {
    for (const [pattern, why] of [
      ['nodex', '"nodex" is neither a node nor a group of cluster'],
      ['managers:&workers', 'matches no node of cluster'],
    ] as const) {
      const r = await cli(['run', 'limited', '--input', `flag=${flag}`, '--limit', pattern, '--yes']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(runIds()).toEqual([]);
  });

  it('a run skips what is outside the limit, and its resume keeps the limit', async () => {
    const first = await cli(['run', 'limited', '--input', `flag=${flag}`, '--limit', 'all:!node2', '--yes']);
    expect(first.code).toBe(1);
    const [runId] = runIds();
    expect(runId).toBeDefined();
    const records = journal(runId as string);
    expect(records[0]).toMatchObject({ type: 'run.started', limit: 'all:!node2' });
    const one = segment(records, 1);
    expect(one.get('hello@node1')).toMatchObject({ type: 'step.succeeded', outputs: { stdout: 'node1' } });
    expect(one.get('hello@node3')).toMatchObject({ type: 'step.succeeded' });
    expect(one.get('hello@node2')).toMatchObject({ type: 'step.skipped', reason: 'limit', detail: 'node2 is outside --limit all:!node2' });
    expect(one.get('label[node2]')).toMatchObject({ type: 'step.skipped', reason: 'limit' });
    expect(one.get('label[node1]')).toMatchObject({ type: 'step.succeeded' });
    expect(one.get('gate')).toMatchObject({ type: 'step.failed' });
    expect(labels('node1')).toEqual({ limited: 'yes' });
    expect(labels('node2')).toEqual({});

    writeFileSync(flag, '');
    const resumed = await cli(['resume', runId as string, '--yes']);
    expect(resumed.code).toBe(0);
    const again = journal(runId as string);
    expect(again.filter((r) => r.type === 'run.started').map((r) => (r as { limit?: string }).limit)).toEqual(['all:!node2', 'all:!node2']);
    const two = segment(again, 2);
    expect(two.get('hello@node2')).toMatchObject({ type: 'step.skipped', reason: 'limit' });
    expect(two.get('after@node2')).toMatchObject({ type: 'step.skipped', reason: 'limit' });
    expect(two.get('after@node3')).toMatchObject({ type: 'step.succeeded' });
    expect(labels('node2')).toEqual({});

    const out = join(dir, 'report.html');
    const report = await cli(['report', runId as string, '--out', out]);
    expect(report.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<span class="mono">all:!node2</span>');
    expect(html).toMatch(/data-instance="hello@node2" data-node="node2" data-outcome="skipped"/);
    expect(html).toMatch(/data-instance="hello@node1" data-node="node1" data-outcome="succeeded"/);
  });

  it('a limit given to resume replaces the one the run began with', async () => {
    rmSync(flag, { force: true });
    const before = runIds();
    const first = await cli(['run', 'limited', '--input', `flag=${flag}`, '--limit', 'node1', '--yes']);
    expect(first.code).toBe(1);
    // The new run's id: ids of runs started in the same second do not sort by time.
    const runId = runIds().find((id) => !before.includes(id)) as string;
    expect(segment(journal(runId), 1).get('hello@node3')).toMatchObject({ type: 'step.skipped', reason: 'limit' });
    writeFileSync(flag, '');
    const resumed = await cli(['resume', runId, '--yes', '--limit', 'all']);
    expect(resumed.code).toBe(0);
    const records = journal(runId);
    expect(records.filter((r) => r.type === 'run.started').at(-1)).toMatchObject({ limit: 'all' });
    const two = segment(records, 2);
    expect(two.get('hello@node2')).toMatchObject({ type: 'step.succeeded', outputs: { stdout: 'node2' } });
    expect(two.get('label[node2]')).toMatchObject({ type: 'step.succeeded' });
    expect(labels('node2')).toEqual({ limited: 'yes' });
  });
});
