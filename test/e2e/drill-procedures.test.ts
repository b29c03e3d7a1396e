/**
 * `runbook drill` of the built-in procedures, each from the state it starts from and with its production
 * defaults: reboot-from-shutdown after its preparation shuts the lab down, force-new-cluster after its
 * preparation takes the quorum away, backup-swarm-state with systemctl and the system paths of the node,
 * the machine's own files untouched.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workspace } from '../helpers/cli.js';
import { errorLookingLines } from '../helpers/stray-errors.js';

/** Three managers (the fewest a quorum can be lost from), and workers as asked; the lab takes the names. */
function threeManagers(workers: readonly string[] = []): string {
  const nodes = ['m1', 'm2', 'm3'].map((m, i) => `  - { name: ${m}, address: 192.0.2.1${i + 1}, role: manager }`);
  const others = workers.map((w, i) => `  - { name: ${w}, address: 192.0.2.2${i + 1}, role: worker }`);
  return `cluster: prod\nnodes:\n${[...nodes, ...others].join('\n')}\n`;
}

describe('runbook drill of the procedures', () => {
  it('drills reboot-from-shutdown from a shut-down lab: its drill.prepare runs emergency-shutdown first', async () => {
    const state = workspace();
    const r = await runCli(['drill', 'reboot-from-shutdown'], { cwd: ROOT, env: { RUNBOOK_STATE_DIR: state } });
    expect(r.code, r.stderr).toBe(0);
    const [prepared, rest = ''] = r.stderr.split('drill: swarm before');
    expect(prepared).toContain('drill: preparing with emergency-shutdown, the state reboot-from-shutdown starts from');
    expect(prepared).toMatch(/✔ power-off-last@node1/);
    const [before, after = ''] = rest.split('drill: swarm after');
    // The runbook drilled started from every node off, and brought every node and the registry back.
    for (const node of ['node1', 'node2', 'node3']) expect(before).toMatch(new RegExp(`${node}\\s+\\S+\\s+\\S+\\s+down\\s+down`));
    expect(before).toMatch(/✔ first-leads@node1/);
    expect(r.stderr).toContain('drill: reboot-from-shutdown finished with exit code 0');
    expect(after).toContain('swarm: 3 nodes, seen from');
    expect(after).toMatch(/registry: \S+ answers/);
    expect(errorLookingLines(r.stderr)).toEqual([]);
    const name = /drill: lab (drill\d+) removed/.exec(r.stderr)?.[1];
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(`rbl-${String(name)}-`);
  }, 300_000);

  it("drills backup-swarm-state with its production defaults, and the machine's /etc/docker and /var/backups stay as they were", async () => {
    // systemctl stop/start docker, /var/run/docker.pid, /var/lib/docker/swarm and /var/backups are each node's own on a lab.
    const machine = ['/etc/docker', '/var/backups'].map((p) => [p, readdirSync(p).sort()] as const);
    const dir = workspace({ 'three.yaml': threeManagers() });
    const name = `db${process.pid}`;
    const r = await runCli(['drill', 'backup-swarm-state', '-i', 'three.yaml', '--lab-name', name, '--no-registry', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const step of ['stop@m2', 'archive@m2', 'start@m2', 'reachable', 'archived', 'fetch@m2']) expect(r.stderr).toContain(`✔ ${step}`);
    for (const [path, entries] of machine) expect(readdirSync(path).sort(), path).toEqual(entries);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(name);
  }, 180_000);

  it('drills force-new-cluster: its preparation takes the quorum away, the recovery brings every manager back', async () => {
    const dir = workspace({ 'three.yaml': threeManagers(['w1']) });
    const name = `df${process.pid}`;
    const r = await runCli(['drill', 'force-new-cluster', '-i', 'three.yaml', '--lab-name', name, '--no-registry', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [prepared, rest = ''] = r.stderr.split('drill: swarm before');
    expect(prepared).toContain('drill: preparing with lose-quorum, the state force-new-cluster starts from');
    expect(prepared).toMatch(/✔ no-leader/);
    const [before, after = ''] = rest.split('drill: swarm after');
    for (const node of ['m2', 'm3']) expect(before).toMatch(new RegExp(`${node}\\s+\\S+\\s+\\S+\\s+down\\s+down`));
    expect(before).toContain('swarm: unavailable');
    expect(before).toMatch(/✔ force-new-cluster@m1/);
    expect(after).toMatch(/m1\s+\S+\s+manager\s+up\s+up\s+ready\/active\s+leader/);
    for (const node of ['m2', 'm3']) expect(after).toMatch(new RegExp(`${node}\\s+\\S+\\s+manager\\s+up\\s+up\\s+ready/active\\s+reachable`));
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(name);
  }, 300_000);

  it('a drill of force-new-cluster on a lab of one manager stops at its preparation, saying what it needs', async () => {
    const r = await runCli(['drill', 'force-new-cluster', '--no-registry', '--state-dir', 's'], { cwd: workspace() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a drill of force-new-cluster needs a lab with at least 3 managers');
    expect(r.stderr).toContain('drill: the preparation lose-quorum finished with exit code 1; force-new-cluster was not run');
  }, 120_000);
});
