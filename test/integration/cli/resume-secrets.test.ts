/**
 * Secret inputs on resume, with the runner killed by SIGKILL mid-run: a secret that came from its
 * default is derived again; one the operator gave must be given again, and the resume says so before
 * anything runs (exit 2); given again (flag or environment), the run carries on. The same inside a
 * sub-runbook. The secret never reaches the terminal or the state directory.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killWhen, runCli, workspace } from '../../helpers/cli.js';

const SECRET = 'SWMTKN-1-resume-s3cr3t';


function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

function journal(dir: string): string {
  const id = readdirSync(join(dir, 's', 'runs'))[0] as string;
  return readFileSync(join(dir, 's', 'runs', id, 'journal.jsonl'), 'utf8');
}

const RUNBOOK = `
name: secret-inputs
inputs:
  token: { type: string, secret: true, default: "none" }
  key: { type: string, secret: true }
steps:
  - id: slow
    action: shell
    with: { command: "echo run >> slow.count; touch slow.started; sleep 3" }
  - id: use
    needs: [slow]
    action: shell
    with: { command: "printf '%s %s' \${{ inputs.token }} \${{ orElse(inputs.key, 'no-key') }} > used" }
`;

describe('secret inputs on resume after kill -9', () => {
  it('a secret left to its default is derived again', async () => {
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    const killed = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir, onSpawn: killWhen(dir, 'slow.started') });
    expect(killed.signal).toBe('SIGKILL');
    expect(journal(dir)).toContain('"givenInputs":[]');
    const resumed = await runCli(['resume', '--state-dir', 's', '--rerun', 'slow'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'used'), 'utf8')).toBe('none no-key');
  });

  it('a secret the operator gave is asked for before anything runs, then the run carries on', async () => {
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    const killed = await runCli(['run', 'rb.yaml', '--state-dir', 's', '--input', `key=${SECRET}`], {
      cwd: dir,
      onSpawn: killWhen(dir, 'slow.started'),
    });
    expect(killed.signal).toBe('SIGKILL');
    const before = journal(dir);
    const refused = await runCli(['resume', '--state-dir', 's', '--rerun', 'slow'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('secret input key, which the journal never holds; nothing was run');
    expect(refused.stderr).toContain('--input key=…');
    expect(refused.stderr).toContain('RUNBOOK_INPUT_key');
    expect(journal(dir)).toBe(before);
    expect(readFileSync(join(dir, 'slow.count'), 'utf8')).toBe('run\n');

    // Given again through the environment, which keeps it out of the process list.
    const resumed = await runCli(['resume', '--state-dir', 's', '--rerun', 'slow'], { cwd: dir, env: { RUNBOOK_INPUT_key: SECRET } });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'used'), 'utf8')).toBe(`none ${SECRET}`);
    expect(resumed.stdout + resumed.stderr + killed.stdout + killed.stderr).not.toContain('s3cr3t');
    for (const f of everyFile(join(dir, 's'))) expect(readFileSync(f, 'utf8'), f).not.toContain('s3cr3t');
  });

  it('refuses to change an input the run began with', async () => {
    const dir = workspace({ 'rb.yaml': 'name: kept\ninputs:\n  node: { type: string, required: true }\nsteps:\n  - id: a\n    action: shell\n    with: { command: "test -f ok" }\n' });
    expect((await runCli(['run', 'rb.yaml', '--state-dir', 's', '--input', 'node=n1'], { cwd: dir })).code).toBe(1);
    const changed = await runCli(['resume', '--state-dir', 's', '--input', 'node=n2'], { cwd: dir });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('a resume keeps the inputs the run began with (node="n1")');
    // The same value again is no change.
    const same = await runCli(['resume', '--state-dir', 's', '--input', 'node=n1'], { cwd: dir });
    expect(same.code).toBe(1);
  });

  it('inside a sub-runbook: a secret passed down is asked for again; the child\'s own default is derived again', async () => {
    const dir = workspace({
      'child.yaml': `
name: child
inputs:
  key: { type: string, secret: true, required: true }
  salt: { type: string, secret: true, default: "child-default" }
steps:
  - id: slow
    action: shell
    with: { command: "touch slow.started; sleep 3" }
  - id: use
    needs: [slow]
    action: shell
    with: { command: "printf '%s %s' \${{ inputs.key }} \${{ inputs.salt }} > used" }
`,
      'parent.yaml': `
name: parent
inputs:
  key: { type: string, secret: true, required: true }
steps:
  - id: call
    action: runbook
    with: { name: child, inputs: { key: "\${{ inputs.key }}" } }
`,
    });
    const killed = await runCli(['run', 'parent.yaml', '--state-dir', 's', '--input', `key=${SECRET}`], {
      cwd: dir,
      onSpawn: killWhen(dir, 'slow.started'),
    });
    expect(killed.signal).toBe('SIGKILL');
    const refused = await runCli(['resume', '--state-dir', 's', '--rerun', 'call/slow'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--input key=…');
    const resumed = await runCli(['resume', '--state-dir', 's', '--rerun', 'call/slow', '--input', `key=${SECRET}`], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'used'), 'utf8')).toBe(`${SECRET} child-default`);
    expect(resumed.stdout + resumed.stderr).not.toContain('s3cr3t');
    for (const f of everyFile(join(dir, 's'))) expect(readFileSync(f, 'utf8'), f).not.toContain('s3cr3t');
  });
});
