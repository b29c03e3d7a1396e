import { describe, expect, it } from 'vitest';
import { PlainReporter, formatDuration } from '../../../engine/ui/plain.js';
import { failed, finished, log, retrying, runStarted, skipped, started, succeeded } from '../journal/events.js';
import { capture } from './capture.js';

describe('PlainReporter', () => {
  it('prints one line per notable event and a summary, without ANSI codes', async () => {
    const out = capture();
    const r = new PlainReporter(out.stream);
    for (const e of [
      runStarted(),
      { type: 'plan.ready', steps: [{ step: 'label', name: 'Label', needs: [] }] } as const,
      started('label@n2'),
      log('label@n2', 'labelled'),
      succeeded('label@n2'),
      started('drain@n1'),
      retrying('drain@n1', 2, 'timeout'),
      started('drain@n1', 2),
      failed('drain@n1', 'node busy', 2),
      skipped('show', 'needs-failed'),
      { type: 'gate.answered', gate: 'confirm', question: 'Label n2?', answer: true, by: 'flag' } as const,
      finished('failed', 65_000),
    ]) {
      r.onEvent(e);
    }
    await r.close();
    const text = out.text();
    expect(text).not.toMatch(/\u001b\[/);
    const lines = text.trimEnd().split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(lines).toEqual([
      '▶ running label-node on cluster dccn (run 20261122T041233Z-3f9a1c)',
      '▶ label@n2 started',
      '           label@n2 | labelled',
      '✔ label@n2 1.2s',
      '▶ drain@n1 started',
      '↻ drain@n1 retry 2/3 in 1.0s: timeout',
      '▶ drain@n1 started (attempt 2)',
      '✖ drain@n1 failed after 0.3s: node busy',
      '– show skipped (needs-failed)',
      '? Label n2? → yes (by --yes)',
      '■ run failed in 1m05s: 1 succeeded, 1 failed, 1 skipped',
    ]);
  });

  it('verbose adds the plan and outputs', () => {
    const out = capture();
    const r = new PlainReporter(out.stream, { verbose: true });
    r.onEvent({ type: 'plan.ready', steps: [{ step: 'a', name: 'a', needs: [] }, { step: 'b', name: 'Bee', needs: ['a'] }] });
    r.onEvent(succeeded('a', { id: 7 }));
    expect(out.text()).toContain('plan: 2 steps');
    expect(out.text()).toContain('b (Bee) after a');
    expect(out.text()).toContain('a → id = 7');
  });

  it('formats durations', () => {
    expect([999, 1234, 12_400, 125_000, 3_720_000].map(formatDuration)).toEqual(['1.0s', '1.2s', '12s', '2m05s', '1h02m']);
  });
});
