/**
 * kill -9 of the runner at random moments, again and again, then resume until done: every step's
 * work happens exactly once and the journal ends with success.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

const STEPS = 24;

function runbook(): string {
  const lines = ['name: killable', 'steps:'];
  for (let i = 0; i < STEPS; i += 1) {
    lines.push(`  - id: s${i}`);
    // Two chains that join at the end, so kills land in parallel steps too.
    if (i >= 2) lines.push(`    needs: [s${i - 2}]`);
    lines.push('    action: shell');
    lines.push(`    check: { action: shell, with: { command: "grep -qx s${i} done.log" } }`);
    lines.push(`    with: { command: "sleep 0.03; echo s${i} >> done.log" }`);
  }
  return lines.join('\n') + '\n';
}

/** A kill before the first journal record leaves nothing to resume: the run starts over. */
function journaled(dir: string): boolean {
  const runs = join(dir, 's', 'runs');
  if (!existsSync(runs)) return false;
  return readdirSync(runs).some((r) => {
    const journal = join(runs, r, 'journal.jsonl');
    return existsSync(journal) && statSync(journal).size > 0;
  });
}

describe('kill -9 at any moment', () => {
  it('resume always finishes, and no step does its work twice', async () => {
    const dir = workspace({ 'rb.yaml': runbook() });
    let kills = 0;
    // Eight runs killed at random moments (start-up, mid-step, mid-fsync), then one left to finish.
    for (let round = 0; round < 9; round += 1) {
      const args = journaled(dir) ? ['resume', '--state-dir', 's'] : ['run', 'rb.yaml', '--state-dir', 's'];
      const last = round === 8;
      const delay = 250 + Math.floor(Math.random() * 400);
      const r = await runCli(args, {
        cwd: dir,
        ...(last ? {} : { onSpawn: (child) => setTimeout(() => child.kill('SIGKILL'), delay) }),
      });
      if (r.signal === 'SIGKILL') kills += 1;
      else if (r.code === 0) break;
      else expect.fail(`round ${round}: exit ${r.code}: ${r.stderr}`);
    }
    const final = await runCli(['runs', '--state-dir', 's'], { cwd: dir });
    expect(final.stdout).toMatch(/killable\s+succeeded/);
    const done = readFileSync(join(dir, 'done.log'), 'utf8').trim().split('\n');
    expect(done.sort()).toEqual(Array.from({ length: STEPS }, (_, i) => `s${i}`).sort());
    expect(kills).toBeGreaterThan(0);
  }, 120_000);
});
