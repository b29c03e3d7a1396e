/**
 * `runbook drill`: a lab shaped like the inventory comes up, the runbook runs against it, the
 * swarm is shown before and after, and the lab is gone afterwards. The README's main command runs as
 * written, from the repository root. A preparation (`drill.prepare`) that fails ends the drill; one that
 * needs inputs is refused before any lab comes up. The procedures' drills: drill-procedures.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workspace } from '../helpers/cli.js';
import { errorLookingLines } from '../helpers/stray-errors.js';

const INVENTORY = `
cluster: prod
defaults:
  ssh: { user: root, identity: ~/.ssh/id_ed25519 }
nodes:
  - { name: m1, address: 192.0.2.11, role: manager, labels: { function: production } }
  - { name: w1, address: 192.0.2.21, role: worker, labels: { function: production } }
  - { name: w2, address: 192.0.2.22, role: worker, labels: { function: test } }
groups:
  production: [m1, w1]
`;

const LABELS = `
name: labels
description: Prints the labels the swarm gives the inventory's production group.
steps:
  - id: show
    action: ssh.run
    on: manager
    with: { command: "docker node inspect w1 --format '{{ .Spec.Labels.function }}'", read_only: true }
  - id: production
    needs: [show]
    action: assert
    with: { that: "\${{ steps.show.outputs.stdout == 'production' }}" }
  - id: group
    action: ssh.run
    on: production
    with: { command: hostname }
`;

describe('runbook drill', () => {
  it('rehearses a runbook on a lab shaped like the inventory and removes it', async () => {
    const dir = workspace({ 'prod.yaml': INVENTORY, 'labels.yaml': LABELS });
    const name = `dr${process.pid}`;
    const r = await runCli(['drill', 'labels.yaml', '-i', 'prod.yaml', '--lab-name', name, '--no-registry', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('drill: swarm before');
    expect(r.stderr).toContain('drill: swarm after');
    // The lab kept the inventory's names, group and labels: the group reached m1 and w1, not w2.
    expect(r.stderr).toContain('✔ group@m1');
    expect(r.stderr).toContain('✔ group@w1');
    expect(r.stderr).not.toContain('group@w2');
    expect(r.stderr).toContain('✔ production');
    expect(r.stderr).toContain(`drill: lab ${name} removed`);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(name);
  }, 180_000);

  it('runs the README main command as written: emergency-shutdown on the default lab with its registry', async () => {
    // Only the state directory is moved out of the checkout; no inventory, no lab name, the registry on.
    const state = workspace();
    const r = await runCli(['drill', 'emergency-shutdown'], { cwd: ROOT, env: { RUNBOOK_STATE_DIR: state } });
    expect(r.code, r.stderr).toBe(0);
    const name = /drill: lab (drill\d+) removed/.exec(r.stderr)?.[1];
    expect(name, r.stderr).toBeDefined();
    const [before, after] = r.stderr.split('drill: swarm after');
    expect(before).toContain('swarm: 3 nodes, seen from');
    expect(before).toMatch(/registry: \S+ answers/);
    for (const node of ['node1', 'node2', 'node3']) expect(after).toMatch(new RegExp(`${node}\\s+\\S+\\s+\\S+\\s+down\\s+down`));
    expect(r.stderr).toMatch(/✔ remove-stacks\[registry\]@node1/);
    expect(r.stderr).toMatch(/✔ power-off-last@node1/);
    expect(r.stderr).toContain('drill: emergency-shutdown finished with exit code 0');
    // A clean run reads clean: no step output, progress or drill line looks like an error.
    expect(errorLookingLines(r.stderr)).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(`rbl-${String(name)}-`);
  }, 240_000);

  it('stops when the preparation fails: the runbook drilled does not run, the lab is removed', async () => {
    const dir = workspace({
      'prod.yaml': INVENTORY,
      'broken.yaml': 'name: broken\nsteps:\n  - id: no\n    action: assert\n    with: { that: "${{ false }}", message: the lab is not ready }\n',
      'after.yaml': `name: after\ndrill: { prepare: broken }\nsteps:\n  - id: mark\n    action: ssh.run\n    on: manager\n    with: { command: "touch /tmp/drilled" }\n`,
    });
    const name = `dp${process.pid}`;
    const r = await runCli(['drill', 'after.yaml', '-i', 'prod.yaml', '--lab-name', name, '--no-registry', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('the lab is not ready');
    expect(r.stderr).toContain('drill: the preparation broken finished with exit code 1; after was not run');
    expect(r.stderr).not.toContain('mark@');
    // The lab is gone after the drill: no hint to resume there.
    expect(r.stderr).not.toContain('continue it with');
    expect(r.stderr).toContain(`drill: lab ${name} removed`);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(name);
  }, 180_000);

  it('exits 2 and brings nothing up when the preparation needs inputs a drill cannot give', async () => {
    const dir = workspace({
      'needs.yaml': 'name: needs\ninputs:\n  node: { type: string, required: true }\nsteps:\n  - id: a\n    action: assert\n    with: { that: "${{ true }}" }\n',
      'after.yaml': 'name: after\ndrill: { prepare: needs }\nsteps:\n  - id: a\n    action: assert\n    with: { that: "${{ true }}" }\n',
    });
    const r = await runCli(['drill', 'after.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("drill: after's preparation needs needs the inputs above");
    expect(r.stderr).not.toContain('bringing up');
  });

  it('exits 2 and brings nothing up when the runbook is invalid', async () => {
    const dir = workspace({ 'bad.yaml': 'name: bad\nsteps: []\n' });
    const r = await runCli(['drill', 'bad.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('bringing up');
  });
});
