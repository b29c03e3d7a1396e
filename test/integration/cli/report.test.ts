/**
 * `runbook report`: a real run (a retry, a tolerated failure, a skip, a secret input and a secret output,
 * kill -9 and a resume) rendered as HTML and opened in a real Chromium: one bar per instance with its
 * outcome, the retries and the resumed attempt marked, no secret in the page and no request beyond it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../../engine/journal/records.js';
import { replay } from '../../../engine/journal/replay.js';
import { OUTCOME_COLOURS } from '../../../engine/report/svg.js';
import { isPng, openReport, outsideReferences } from '../../helpers/browser.js';
import { killWhen, runCli, workspace } from '../../helpers/cli.js';

const CANARY = 'canary-7f3e9a-secret';
const DERIVED = 'derived-41b2c8-secret';

const RUNBOOK = `
name: report-local
inputs:
  token: { type: string, secret: true }
  greeting: { type: string, default: hello }
steps:
  - id: flaky
    action: shell
    retry: { attempts: 3, delay: 200ms }
    with: { command: "n=$(cat flaky.count 2>/dev/null || echo 0); echo $((n+1)) > flaky.count; test $n -ge 2" }
  - id: use-token
    needs: [flaky]
    action: shell
    with: { command: "echo token is \${{ inputs.token }}" }
  - id: derive
    needs: [flaky]
    action: shell
    secret_outputs: [stdout]
    with: { command: "echo ${DERIVED}" }
  - id: soft
    needs: [flaky]
    action: shell
    continue_on_error: true
    with: { command: "echo '<b>not bold</b>' >&2; exit 4" }
  - id: never
    when: "\${{ false }}"
    action: shell
    with: { command: "true" }
  - id: cut
    needs: [use-token, derive, soft]
    action: shell
    with: { command: "if [ -e cut.once ]; then echo second; else touch cut.once; sleep 20; fi" }
`;

describe('runbook report', () => {
  it('renders a resumed run with retries as a self-contained page Chromium shows without a request', async () => {
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    const env = { RUNBOOK_INPUT_token: CANARY };
    const killed = await runCli(['run', 'rb.yaml', '--state-dir', 's', '--yes'], { cwd: dir, env, onSpawn: killWhen(dir, 'cut.once') });
    expect(killed.signal).toBe('SIGKILL');
    const runId = readdirSync(join(dir, 's', 'runs'))[0] as string;
    const resumed = await runCli(['resume', runId, '--rerun', 'cut', '--state-dir', 's'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);

    const made = await runCli(['report', runId, '--state-dir', 's'], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    const file = join(dir, 's', 'runs', runId, 'report.html');
    expect(made.stdout).toBe(`${file}\n`);
    const html = readFileSync(file, 'utf8');
    for (const secret of [CANARY, DERIVED]) expect(html).not.toContain(secret);

    const journal = readFileSync(join(dir, 's', 'runs', runId, 'journal.jsonl'), 'utf8');
    const state = replay(parseJournal(journal).records);
    const shot = join(dir, 'report.png');
    const { page, requests, close } = await openReport(file, shot);
    try {
      expect(isPng(shot)).toBe(true);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(await outsideReferences(page)).toEqual([]);
      const text = await page.content();
      for (const secret of [CANARY, DERIVED]) expect(text).not.toContain(secret);

      expect(await page.locator('g[data-lane]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')))).toEqual(['local']);
      const bars = await page
        .locator('g[data-bar]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-instance'), e.getAttribute('data-outcome'), e.getAttribute('data-attempts'), e.getAttribute('data-resumed')]));
      // One bar per instance the journal knows, each with its journaled outcome.
      expect(bars.map((b) => b[0]).sort()).toEqual([...state.instances.keys()].sort());
      expect(Object.fromEntries(bars.map((b) => [b[0], b[1]]))).toEqual({
        flaky: 'succeeded',
        'use-token': 'succeeded',
        derive: 'succeeded',
        soft: 'tolerated',
        never: 'skipped',
        cut: 'succeeded',
      });
      const flaky = page.locator('g[data-bar][data-instance="flaky"]');
      expect(await flaky.getAttribute('data-attempts')).toBe('3');
      expect(await flaky.locator('rect[data-segment="attempt"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')))).toEqual(['failed', 'failed', 'succeeded']);
      expect(await flaky.locator('rect[data-segment="retry-wait"]').count()).toBe(2);
      expect(await flaky.locator('line[data-marker="retry"]').count()).toBe(2);
      // Outcomes are told apart by colour, not only by attribute.
      expect(await flaky.locator('rect[data-outcome="failed"]').first().getAttribute('fill')).toBe(OUTCOME_COLOURS.failed);
      expect(await flaky.locator('rect[data-outcome="succeeded"]').getAttribute('fill')).toBe(OUTCOME_COLOURS.succeeded);

      // The cut-off attempt belongs to the killed session, the one that finished to the resume.
      const cut = page.locator('g[data-bar][data-instance="cut"]');
      expect(await cut.getAttribute('data-resumed')).toBe('true');
      expect(await cut.locator('rect[data-segment="attempt"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-session'), e.getAttribute('data-outcome')]))).toEqual([
        ['1', 'interrupted'],
        ['2', 'succeeded'],
      ]);
      expect(await page.locator('g[data-session-break="2"]').count()).toBe(1);
      // Ran again on resume: the cut-off step, the one with a secret output (re-derived) and the tolerated failure.
      const again = await page.locator('g[data-bar][data-resumed="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-instance')));
      expect(again.sort()).toEqual(['cut', 'derive', 'soft']);

      // Inputs: the secret one by name only; outputs: the secret one masked.
      expect(await page.locator('tr[data-input="token"]').getAttribute('data-secret')).toBe('true');
      expect(await page.locator('tr[data-input="token"]').innerText()).toContain('***');
      expect(await page.locator('tr[data-input="greeting"]').innerText()).toContain('hello');
      expect(await page.locator('tr[data-step-row="derive"]').innerText()).toMatch(/stdout: \*\*\* \(secret\)/);
      expect(await page.locator('tr[data-step-row="use-token"]').innerText()).toContain('token is ***');
      // What a command printed is text, not markup.
      expect(await page.locator('tr[data-step-row="soft"] b').count()).toBe(0);
      expect(await page.locator('tr[data-step-row="soft"]').innerText()).toContain('exit code 4');
      expect(await page.locator('section[data-section="summary"]').innerText()).toContain(runId);
      expect(await page.locator('body').getAttribute('data-status')).toBe('succeeded');
    } finally {
      await close();
    }
  }, 90_000);

  it('writes where --out says, and refuses a directory that does not exist (exit 2)', async () => {
    const dir = workspace({ 'rb.yaml': 'name: tiny\nsteps:\n  - id: one\n    action: shell\n    with: { command: "true" }\n' });
    expect((await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir })).code).toBe(0);
    const runId = readdirSync(join(dir, 's', 'runs'))[0] as string;
    const out = await runCli(['report', runId, '--state-dir', 's', '--out', 'tiny.html'], { cwd: dir });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe(`${join(dir, 'tiny.html')}\n`);
    expect(readFileSync(join(dir, 'tiny.html'), 'utf8')).toContain('data-instance="one"');
    const bad = await runCli(['report', runId, '--state-dir', 's', '--out', 'missing/dir/x.html'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('missing/dir');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const unknown = await runCli(['report', '20260101T000000Z-000000', '--state-dir', 's'], { cwd: dir });
    expect(unknown.code).toBe(2);
  });
});
