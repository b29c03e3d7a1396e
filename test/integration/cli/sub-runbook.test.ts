/**
 * `action: runbook`: a child runbook's steps run inside the parent's run, journaled with prefixed
 * ids, planned in place, and resumed like any other step.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

const CHILD = `
name: child
inputs:
  who: { type: string, required: true }
  times: { type: integer, default: 2 }
steps:
  - id: greet
    action: shell
    with: { command: "echo run >> greet.count; echo hello \${{ inputs.who }} x\${{ inputs.times }}" }
  - id: slow
    needs: [greet]
    action: shell
    with: { command: "echo run >> slow.count; touch slow.started; sleep \${{ inputs.times }}; echo slow-done" }
`;

const PARENT = `
name: parent
steps:
  - id: first
    action: shell
    with: { command: "echo operator" }
  - id: call
    needs: [first]
    action: runbook
    with: { name: child, inputs: { who: "\${{ steps.first.outputs.stdout }}" } }
  - id: after
    needs: [call]
    action: shell
    with: { command: "echo \${{ steps.call.outputs.greet.stdout }} > after.out" }
`;

function lines(dir: string, file: string): number {
  return existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').length : 0;
}

describe('sub-runbooks', () => {
  it('run inside the parent run with prefixed ids and give their outputs to later steps', async () => {
    const dir = workspace({ 'child.yaml': CHILD.replace('default: 2', 'default: 0'), 'parent.yaml': PARENT });
    const r = await runCli(['run', 'parent.yaml', '--state-dir', 's', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'after.out'), 'utf8')).toBe('hello operator x0\n');
    const succeeded = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'step.succeeded').map((e) => e.instance);
    expect(succeeded).toEqual(['first', 'call/greet', 'call/slow', 'call', 'after']);
  });

  it('plan lists the child steps in place, with run-time values marked', async () => {
    const dir = workspace({ 'child.yaml': CHILD, 'parent.yaml': PARENT });
    const r = await runCli(['plan', 'parent.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/call\/greet[\s\S]*echo hello '<output of first>' x2/);
    expect(r.stdout).toContain('call/slow');
    expect(readdirSync(dir).sort()).toEqual(['child.yaml', 'parent.yaml']);
  });

  it('resume after kill -9 inside the child does not repeat finished child steps', async () => {
    const dir = workspace({ 'child.yaml': CHILD, 'parent.yaml': PARENT });
    const killed = await runCli(['run', 'parent.yaml', '--state-dir', 's'], {
      cwd: dir,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (existsSync(join(dir, 'slow.started'))) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 20);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const refused = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--rerun call/slow');
    const resumed = await runCli(['resume', '--state-dir', 's', '--rerun', 'call/slow'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lines(dir, 'greet.count')).toBe(1);
    expect(lines(dir, 'slow.count')).toBe(2);
    expect(readFileSync(join(dir, 'after.out'), 'utf8')).toBe('hello operator x2\n');
  });

  it('a name not beside the caller is a built-in runbook; a name that is neither is refused before anything runs', async () => {
    const dir = workspace({
      'mine.yaml': `
name: mine
steps:
  - id: status
    action: runbook
    with: { name: cluster-status }
`,
      'typo.yaml': `
name: typo
steps:
  - id: first
    action: shell
    with: { command: "touch ran" }
  - id: status
    needs: [first]
    action: runbook
    with: { name: cluster-statuss }
`,
      'inventory.yaml': 'cluster: c\nnodes:\n  - { name: n1, address: 127.0.0.1, role: manager }\n',
    });
    const r = await runCli(['plan', 'mine.yaml', '-i', 'inventory.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    // The built-in cluster-status's own steps, planned in place.
    expect(r.stdout).toContain('status/engines');
    expect(r.stdout).toContain('status/swarm');
    const typo = await runCli(['run', 'typo.yaml', '-i', 'inventory.yaml', '--state-dir', 's', '--yes'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/typo\.yaml:10:19: error RB_UNKNOWN_RUNBOOK: .*did you mean "cluster-status"\?/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('a child called with a wrong input fails the step, naming the input', async () => {
    const dir = workspace({
      'child.yaml': CHILD,
      'parent.yaml': PARENT.replace('who: "${{ steps.first.outputs.stdout }}"', 'who: x, times: many'),
    });
    const r = await runCli(['run', 'parent.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('input "times" must be a whole number');
  });
});
