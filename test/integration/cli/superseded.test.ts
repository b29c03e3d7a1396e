/**
 * A resume knows what ran since: an interrupted run is not resumed after a later run changed the same
 * cluster (exit 3, naming it), unless --force; `runbook resume` without a run id picks the latest run of
 * the cluster and resumes nothing when that one succeeded; `runbook runs` marks superseded runs. A
 * read-only look at the cluster in between changes nothing of this.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

// The steps are local: the node's address is never contacted.
const INVENTORY = `
cluster: c1
nodes:
  - { name: n1, address: 127.0.0.1, role: manager }
`;

function journalLines(dir: string, runId: string): number {
  return readFileSync(join(dir, 's', 'runs', runId, 'journal.jsonl'), 'utf8').trim().split('\n').length;
}

describe('resume after a later run on the same cluster', () => {
  it('refuses the superseded run, names the later one, and --force overrides', async () => {
    const dir = workspace({
      'inv.yaml': INVENTORY,
      'shutdown.yaml': 'name: shutdown\nsteps:\n  - id: off\n    action: shell\n    with: { command: "test -f ok && echo off >> shutdown.log" }\n',
      'reboot.yaml': 'name: reboot\nsteps:\n  - id: on\n    action: shell\n    with: { command: "echo on >> reboot.log" }\n',
      'look.yaml': 'name: look\nsteps:\n  - id: look\n    action: assert\n    with: { that: "${{ true }}" }\n',
    });
    const common = ['-i', 'inv.yaml', '--state-dir', 's'];
    const failed = await runCli(['run', 'shutdown.yaml', ...common], { cwd: dir });
    expect(failed.code).toBe(1);
    const shutdownId = readdirSync(join(dir, 's', 'runs'))[0] as string;

    // A read-only look does not supersede it: resume without an id still finds the shutdown.
    expect((await runCli(['run', 'look.yaml', ...common], { cwd: dir })).code).toBe(0);
    const runsBefore = await runCli(['runs', '--state-dir', 's'], { cwd: dir });
    expect(runsBefore.stdout).not.toContain('superseded');

    const before = new Set(readdirSync(join(dir, 's', 'runs')));
    const reboot = await runCli(['run', 'reboot.yaml', ...common], { cwd: dir });
    expect(reboot.code, reboot.stderr).toBe(0);
    // The new run's directory: ids of runs started in the same second do not sort by time.
    const rebootId = readdirSync(join(dir, 's', 'runs')).find((id) => !before.has(id)) as string;

    const runs = await runCli(['runs', '--state-dir', 's'], { cwd: dir });
    expect(runs.stdout).toMatch(new RegExp(`${shutdownId}\\s+shutdown\\s+failed\\s+.*superseded by ${rebootId} \\(reboot\\)`));
    const json = await runCli(['runs', '--state-dir', 's', '--json'], { cwd: dir });
    expect(json.stdout.split('\n').filter((l) => l.includes(shutdownId))[0]).toContain(`"supersededBy":"${rebootId}"`);

    writeFileSync(join(dir, 'ok'), '');
    const lines = journalLines(dir, shutdownId);
    // Without an id: the latest run of cluster c1 succeeded, so nothing is resumed; the shutdown is listed.
    const latest = await runCli(['resume', ...common], { cwd: dir });
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stderr).toContain(`the latest run on cluster c1, ${rebootId} (reboot, succeeded`);
    expect(latest.stderr).toContain(`  ${shutdownId} (shutdown, failed`);
    // By id: refused, naming the later run, its runbook and its outcome; nothing ran.
    const refused = await runCli(['resume', shutdownId, '--state-dir', 's'], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`cluster c1 was changed by ${rebootId} (reboot, succeeded`);
    expect(refused.stderr).toContain('--force');
    expect(journalLines(dir, shutdownId)).toBe(lines);

    const forced = await runCli(['resume', shutdownId, '--state-dir', 's', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('moved on since');
    expect(readFileSync(join(dir, 'shutdown.log'), 'utf8')).toBe('off\n');
  });

  it('without an id resumes the latest run of the cluster when it is unfinished, not an older one', async () => {
    const dir = workspace({
      'inv.yaml': INVENTORY,
      'a.yaml': 'name: a\nsteps:\n  - id: s\n    action: shell\n    with: { command: "test -f ok-a" }\n',
      'b.yaml': 'name: b\nsteps:\n  - id: s\n    action: shell\n    with: { command: "test -f ok-b && touch b-done" }\n',
    });
    const common = ['-i', 'inv.yaml', '--state-dir', 's'];
    expect((await runCli(['run', 'a.yaml', ...common], { cwd: dir })).code).toBe(1);
    expect((await runCli(['run', 'b.yaml', ...common], { cwd: dir })).code).toBe(1);
    writeFileSync(join(dir, 'ok-b'), '');
    const r = await runCli(['resume', ...common], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('resuming b');
    expect(readdirSync(dir)).toContain('b-done');
  });
});
