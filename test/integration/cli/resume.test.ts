/**
 * kill -9 of the runner, then `runbook resume`: finished steps never run again, their outputs come
 * back from the journal, and a step cut off mid-way is not silently repeated.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killWhen, runCli, workspace } from '../../helpers/cli.js';


function count(dir: string, file: string): number {
  return existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').length : 0;
}

const RUNBOOK = `
name: resumable
steps:
  - id: first
    action: shell
    with: { command: "echo run >> first.count; echo value-from-first" }
  - id: cut
    needs: [first]
    action: shell
    with: { command: "echo run >> cut.count; touch cut.started; sleep 3" }
  - id: last
    needs: [cut]
    action: shell
    with: { command: "echo \${{ steps.first.outputs.stdout }} > last.out" }
`;

describe('runbook resume after kill -9', () => {
  it('does not repeat finished steps, restores outputs, and asks before re-running a cut-off step', async () => {
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    const killed = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir, onSpawn: killWhen(dir, 'cut.started') });
    expect(killed.signal).toBe('SIGKILL');

    const runs = await runCli(['runs', '--state-dir', 's'], { cwd: dir });
    expect(runs.stdout).toMatch(/resumable\s+running/);

    // `cut` started but never ended; shell is not idempotent and has no check: the operator must decide.
    const refused = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--rerun cut');
    expect(count(dir, 'cut.count')).toBe(1);
    // A refusal is not an answer: asked again, it still refuses.
    const refusedAgain = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(refusedAgain.code).toBe(3);
    expect(count(dir, 'cut.count')).toBe(1);

    const resumed = await runCli(['resume', '--state-dir', 's', '--rerun', 'cut'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(count(dir, 'first.count')).toBe(1);
    expect(count(dir, 'cut.count')).toBe(2);
    expect(readFileSync(join(dir, 'last.out'), 'utf8')).toBe('value-from-first\n');

    const show = await runCli(['show', readdirSync(join(dir, 's', 'runs'))[0] as string, '--state-dir', 's'], { cwd: dir });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('succeeded');
    const finishedAgain = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(finishedAgain.code).toBe(0);
    expect(finishedAgain.stderr).toContain('succeeded: nothing to resume');
  });

  it('re-checks a cut-off step that has a check instead of asking', async () => {
    const dir = workspace({
      'rb.yaml': `
name: checked
steps:
  - id: make
    action: shell
    check: { action: shell, with: { command: "test -f made" } }
    with: { command: "echo run >> make.count; touch made; touch make.started; sleep 3" }
  - id: after
    needs: [make]
    action: shell
    with: { command: "touch after" }
`,
    });
    const killed = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir, onSpawn: killWhen(dir, 'make.started') });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(count(dir, 'make.count')).toBe(1);
    expect(existsSync(join(dir, 'after'))).toBe(true);
  });

  it('refuses to resume when the runbook changed, unless --force', async () => {
    const dir = workspace({
      'rb.yaml': `
name: changing
steps:
  - id: fail
    action: shell
    with: { command: "test -f ok" }
`,
    });
    const failed = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(failed.code).toBe(1);
    writeFileSync(join(dir, 'rb.yaml'), readFileSync(join(dir, 'rb.yaml'), 'utf8') + '\n# edited\n');
    writeFileSync(join(dir, 'ok'), '');
    const refused = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    const forced = await runCli(['resume', '--state-dir', 's', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('re-derives secret outputs on resume by running their producing step again', async () => {
    const dir = workspace({
      'rb.yaml': `
name: secret-resume
steps:
  - id: token
    action: shell
    secret_outputs: [stdout]
    with: { command: "echo run >> token.count; echo SWMTKN-1-resume-secret" }
  - id: wait
    needs: [token]
    action: shell
    check: { action: shell, with: { command: "test -f waited" } }
    with: { command: "touch wait.started; sleep 3; touch waited" }
  - id: use
    needs: [wait]
    action: shell
    with: { command: "echo \${{ steps.token.outputs.stdout }} > used" }
`,
    });
    const killed = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir, onSpawn: killWhen(dir, 'wait.started') });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(count(dir, 'token.count')).toBe(2);
    expect(readFileSync(join(dir, 'used'), 'utf8')).toBe('SWMTKN-1-resume-secret\n');
    expect(resumed.stderr).not.toContain('resume-secret');
  });
});
