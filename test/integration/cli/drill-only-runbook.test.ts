/**
 * The drill preparation that takes a swarm's quorum away (runbooks/drills/lose-quorum.yaml) refuses to run
 * anywhere but on the lab of the drill that called it: run by hand, or with the drill mark naming another
 * cluster, it stops at its first step and its power-off step never comes up. With the mark naming the
 * inventory's cluster (what a drill sets), it goes past that step.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workspace } from '../../helpers/cli.js';

// Loopback addresses where nothing listens, and power commands that do nothing.
const INVENTORY = `
cluster: prod
defaults:
  power: { off: "true", on: "true" }
nodes:
  - { name: m1, address: 127.0.0.11, role: manager }
  - { name: m2, address: 127.0.0.12, role: manager }
  - { name: m3, address: 127.0.0.13, role: manager }
`;

const LOSE_QUORUM = join(ROOT, 'runbooks', 'drills', 'lose-quorum.yaml');

describe('lose-quorum outside a drill', () => {
  it.each([
    ['run by hand', {}],
    ['marked as the drill of another lab', { RUNBOOK_DRILL_LAB: 'drill4711' }],
  ])('refuses when %s, before any power command', async (_, env) => {
    const dir = workspace({ 'prod.yaml': INVENTORY });
    const r = await runCli(['run', LOSE_QUORUM, '-i', 'prod.yaml', '--yes', '--state-dir', 's'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lose-quorum takes the Raft quorum away from cluster prod: it runs only as the preparation of a drill');
    expect(r.stderr).not.toContain('managers started');
    expect(r.stderr).not.toContain('power-off');
  }, 30_000);

  it('goes past its guard when the drill mark names the cluster, as a drill sets it', async () => {
    const dir = workspace({ 'prod.yaml': INVENTORY });
    const r = await runCli(['run', LOSE_QUORUM, '-i', 'prod.yaml', '--yes', '--state-dir', 's'], { cwd: dir, env: { RUNBOOK_DRILL_LAB: 'prod' } });
    expect(r.stderr).toContain('✔ drill');
    expect(r.stderr).toContain('power-off@m2');
  }, 30_000);

  it('is not listed among the runbooks an operator runs', async () => {
    const r = await runCli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('force-new-cluster');
    expect(r.stdout).not.toContain('lose-quorum');
  });
});
