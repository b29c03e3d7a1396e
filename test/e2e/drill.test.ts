/**
 * `runbook drill`: a lab shaped like the inventory comes up, the runbook runs against it, the
 * swarm is shown before and after, and the lab is gone afterwards.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../helpers/cli.js';

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

  it('exits 2 and brings nothing up when the runbook is invalid', async () => {
    const dir = workspace({ 'bad.yaml': 'name: bad\nsteps: []\n' });
    const r = await runCli(['drill', 'bad.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('bringing up');
  });
});
