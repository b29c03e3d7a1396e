/**
 * One run at a time per cluster + runbook; `plan` executes nothing; `validate` speaks in positions.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

describe('the run lock', () => {
  it('refuses a second run while one is active (exit 3, names the holder) and a stale lock is taken over', async () => {
    const dir = workspace({
      'rb.yaml': `
name: long
steps:
  - id: wait
    action: shell
    with: { command: "touch started; sleep 4" }
`,
    });
    let firstPid = 0;
    const first = runCli(['run', 'rb.yaml', '--state-dir', 's'], {
      cwd: dir,
      onSpawn: (child) => (firstPid = child.pid ?? 0),
    });
    while (!existsSync(join(dir, 'started'))) await new Promise((r) => setTimeout(r, 30));
    const second = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`pid ${firstPid}`);
    process.kill(firstPid, 'SIGKILL');
    await first;
    // The holder died without releasing: the next run takes the lock over.
    const third = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(third.code, third.stderr).toBe(0);
  });

  it('a lock removed while the run holds it stops the run before its next step: exit 1, journaled, resumable', async () => {
    const dir = workspace({
      'rb.yaml': `
name: steps
steps:
  - id: first
    action: shell
    with: { command: "echo first >> m; touch started; sleep 2" }
  - id: second
    needs: [first]
    action: shell
    with: { command: "echo second >> m" }
`,
    });
    const run = runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    while (!existsSync(join(dir, 'started'))) await new Promise((r) => setTimeout(r, 30));
    // Someone removes the lock (or another host judged it stale and took it): this run may not go on.
    rmSync(join(dir, 's', 'locks', 'local--steps.lock'), { recursive: true });
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the run lock \S+local--steps\.lock was lost while the run held it \(it was removed\); no further step was started/);
    expect(readFileSync(join(dir, 'm'), 'utf8')).toBe('first\n');
    const runId = /runbook resume (\S+)/.exec(r.stderr)?.[1] as string;
    const journal = readFileSync(join(dir, 's', 'runs', runId, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; error?: string });
    expect(journal.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', error: expect.stringContaining('was lost') });
    const resumed = await runCli(['resume', runId, '--state-dir', 's'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'm'), 'utf8')).toBe('first\nsecond\n');
  });
});

describe('runbook plan', () => {
  it('shows every instance in order with the exact command, marks run-time values, and executes nothing', async () => {
    const dir = workspace({
      'rb.yaml': `
name: planned
inputs:
  name: { type: string, default: "a b" }
steps:
  - id: first
    action: shell
    with: { command: "touch first-ran; echo hi" }
  - id: each
    needs: [first]
    foreach: [x, y]
    when: "\${{ inputs.name != '' }}"
    action: shell
    with: { command: "touch \${{ item }}-ran \${{ inputs.name }} \${{ steps.first.outputs.stdout }}" }
`,
    });
    for (const args of [['plan', 'rb.yaml'], ['run', '--dry-run', 'rb.yaml']]) {
      const r = await runCli([...args, '--state-dir', 's'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('touch first-ran; echo hi');
      expect(r.stdout).toContain("touch x-ran 'a b' <output of first>");
      expect(r.stdout).toContain('each[y]');
      expect(r.stdout).toMatch(/when .* → true/);
    }
    expect(readdirSync(dir).sort()).toEqual(['rb.yaml']);
  });
});

describe('runbook validate', () => {
  it('exits 2 with file:line:col and no stack trace, and 0 for a valid file', async () => {
    const dir = workspace({
      'bad.yaml': `
name: bad
steps:
  - id: a
    action: shell
    with: { command: "true" }
  - id: b
    needs: [c]
    action: shell
    with: { command: "true" }
`,
      'good.yaml': `
name: good
steps:
  - id: a
    action: shell
    with: { command: "true" }
`,
    });
    const bad = await runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:8:\d+: error RB_UNKNOWN_NEEDS/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const good = await runCli(['validate', 'good.yaml'], { cwd: dir });
    expect(good.code, good.stderr).toBe(0);
    const run = await runCli(['run', 'bad.yaml', '--state-dir', 's'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(existsSync(join(dir, 's'))).toBe(false);
  });

  it('rejects unknown options and unknown runbooks with exit 2', async () => {
    const dir = workspace();
    expect((await runCli(['run', 'nope', '--state-dir', 's'], { cwd: dir })).code).toBe(2);
    expect((await runCli(['run', '--bogus', 'x'], { cwd: dir })).code).toBe(2);
    expect((await runCli(['--help'], { cwd: dir })).code).toBe(0);
  });
});
