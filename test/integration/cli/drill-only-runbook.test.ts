/**
 * The drill preparation that takes a swarm's quorum away (runbooks/drills/lose-quorum.yaml) refuses to run
 * anywhere but on the lab of the drill that called it: run by hand, or with the drill mark naming another
 * cluster, it stops at its first step, and the power command it would have used is never called.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workspace } from '../../helpers/cli.js';

// Loopback addresses; the power command only leaves a mark, so that a run that got that far would show.
const INVENTORY = `
cluster: prod
defaults:
  power: { off: "touch off-{node}", on: "true" }
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
    expect(r.stderr).not.toContain('power-off');
    for (const node of ['m2', 'm3']) expect(existsSync(join(dir, `off-${node}`))).toBe(false);
  }, 30_000);

  it('is not listed among the runbooks an operator runs', async () => {
    const r = await runCli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('force-new-cluster');
    expect(r.stdout).not.toContain('lose-quorum');
  });
});
