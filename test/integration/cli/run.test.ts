/**
 * `runbook run` end to end: the real binary, real shells, real files.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

function journalOf(stateDir: string): Record<string, unknown>[] {
  const runs = readdirSync(join(stateDir, 'runs'));
  expect(runs).toHaveLength(1);
  return readFileSync(join(stateDir, 'runs', runs[0] as string, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('runbook run', () => {
  it('runs independent steps in parallel and a dependent step after both', async () => {
    const dir = workspace({
      'rb.yaml': `
name: parallel
steps:
  - id: a
    action: shell
    with: { command: "echo a-start >> log; sleep 0.6; echo a-end >> log" }
  - id: b
    action: shell
    with: { command: "echo b-start >> log; sleep 0.6; echo b-end >> log" }
  - id: c
    needs: [a, b]
    action: shell
    with: { command: "echo c >> log" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const log = readFileSync(join(dir, 'log'), 'utf8').trim().split('\n');
    // Both started before either ended: they overlapped. c came last.
    expect(log.indexOf('a-start')).toBeLessThan(log.indexOf('b-end'));
    expect(log.indexOf('b-start')).toBeLessThan(log.indexOf('a-end'));
    expect(log.at(-1)).toBe('c');
  });

  it('passes outputs between steps and keeps types of single expressions', async () => {
    const dir = workspace({
      'rb.yaml': `
name: outputs
inputs:
  count: { type: integer, default: 2 }
steps:
  - id: hello
    action: shell
    with: { command: "echo hello; echo warn >&2" }
  - id: use
    needs: [hello]
    action: shell
    with: { command: "echo \${{ steps.hello.outputs.stdout }}-\${{ inputs.count + 1 }} > out" }
  - id: check-types
    needs: [hello]
    action: assert
    with: { that: "\${{ steps.hello.outputs.exit_code == 0 && steps.hello.outputs.stderr == 'warn' }}" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('hello-3\n');
  });

  it('quotes interpolated values: an input cannot inject a command', async () => {
    const dir = workspace({
      'rb.yaml': `
name: quoting
inputs:
  x: { type: string, required: true }
steps:
  - id: echo
    action: shell
    with: { command: "echo \${{ inputs.x }} > out" }
`,
    });
    const evil = `x; touch pwned; $(touch pwned2) \`touch pwned3\` 'q' "d"`;
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's', '--input', `x=${evil}`], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    expect(existsSync(join(dir, 'pwned3'))).toBe(false);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(evil + '\n');
  });

  it('skips steps whose when is false and runs foreach instances under a concurrency limit', async () => {
    const dir = workspace({
      'rb.yaml': `
name: fanout
inputs:
  enabled: { type: boolean, default: false }
steps:
  - id: never
    when: "\${{ inputs.enabled }}"
    action: shell
    with: { command: "touch never" }
  - id: each
    foreach: [n1, n2, n3, n4]
    concurrency: 2
    action: shell
    with: { command: "echo start >> log; sleep 0.3; echo end >> log; echo \${{ item }}" }
  - id: after
    needs: [each]
    action: assert
    with: { that: "\${{ steps.each.outputs.n3.stdout == 'n3' }}" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    let running = 0;
    let peak = 0;
    for (const line of readFileSync(join(dir, 'log'), 'utf8').trim().split('\n')) {
      running += line === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
    const journal = journalOf(join(dir, 's'));
    const instances = journal.filter((e) => e['type'] === 'step.succeeded' && e['step'] === 'each').map((e) => e['instance']);
    expect(instances.sort()).toEqual(['each[n1]', 'each[n2]', 'each[n3]', 'each[n4]']);
    expect(journal.some((e) => e['type'] === 'step.skipped' && e['step'] === 'never' && e['reason'] === 'when')).toBe(true);
  });

  it('retries with delay and backoff until the command succeeds', async () => {
    const dir = workspace({
      'rb.yaml': `
name: retry
steps:
  - id: flaky
    action: shell
    retry: { attempts: 3, delay: 100ms, backoff: 2 }
    with: { command: "echo x >> tries; test $(wc -l < tries) -ge 3" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const journal = journalOf(join(dir, 's'));
    const retries = journal.filter((e) => e['type'] === 'step.retrying');
    expect(retries.map((e) => e['delayMs'])).toEqual([100, 200]);
    expect(journal.find((e) => e['type'] === 'step.succeeded')?.['attempt']).toBe(3);
  });

  it('fails a step past its timeout, exits 1, and continue_on_error lets others go on', async () => {
    const dir = workspace({
      'rb.yaml': `
name: timeouts
steps:
  - id: slow
    action: shell
    timeout: 300ms
    with: { command: "sleep 5" }
  - id: tolerated
    action: shell
    continue_on_error: true
    with: { command: "exit 4" }
  - id: after-tolerated
    needs: [tolerated]
    action: shell
    with: { command: "touch after" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(1);
    const journal = journalOf(join(dir, 's'));
    const slow = journal.find((e) => e['type'] === 'step.failed' && e['step'] === 'slow');
    expect(slow?.['code']).toBe('TIMEOUT');
    const tolerated = journal.find((e) => e['type'] === 'step.failed' && e['step'] === 'tolerated');
    expect(tolerated?.['tolerated']).toBe(true);
    expect(journal.at(-1)?.['status']).toBe('failed');
    expect(r.stderr).toContain('runbook resume');
  });

  it('refuses a confirm gate with exit 3 when stdin is not a terminal and --yes is absent', async () => {
    const rb = `
name: gated
confirm: "Really touch \${{ inputs.file }}?"
inputs:
  file: { type: string, default: touched }
steps:
  - id: touch
    action: shell
    with: { command: "touch \${{ inputs.file }}" }
`;
    const dir = workspace({ 'rb.yaml': rb });
    const refused = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--yes');
    expect(existsSync(join(dir, 'touched'))).toBe(false);
    const confirmed = await runCli(['run', 'rb.yaml', '--state-dir', 's2', '--yes'], { cwd: dir });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(existsSync(join(dir, 'touched'))).toBe(true);
    const gate = journalOf(join(dir, 's2')).find((e) => e['type'] === 'gate.answered');
    expect(gate).toMatchObject({ gate: 'runbook', answer: true, by: 'flag' });
  });

  it('asks a step gate only when the step has work to do: a step already done asks nothing', async () => {
    const dir = workspace({
      'rb.yaml': `
name: gated-step
steps:
  - id: done-already
    confirm: "Touch it?"
    check: "\${{ true }}"
    action: shell
    with: { command: "touch touched" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'touched'))).toBe(false);
    const journal = journalOf(join(dir, 's'));
    expect(journal.some((e) => e['type'] === 'gate.answered')).toBe(false);
    expect(journal.find((e) => e['type'] === 'step.skipped')?.['reason']).toBe('check');
  });

  it('exits 130 on SIGINT and journals the interruption', async () => {
    const dir = workspace({
      'rb.yaml': `
name: interrupted
steps:
  - id: wait
    action: shell
    with: { command: "touch started; sleep 10" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], {
      cwd: dir,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (existsSync(join(dir, 'started'))) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 50);
      },
    });
    expect(r.code).toBe(130);
    const journal = journalOf(join(dir, 's'));
    expect(journal.at(-1)).toMatchObject({ type: 'run.finished', status: 'interrupted' });
  });

  it('prints only JSON events on stdout with --json', async () => {
    const dir = workspace({
      'rb.yaml': `
name: json
steps:
  - id: a
    action: shell
    with: { command: "echo hi" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)?.type).toBe('run.finished');
    expect(events.map((e) => e.type)).toContain('step.succeeded');
  });
});
