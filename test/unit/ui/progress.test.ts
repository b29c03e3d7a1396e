import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../engine/runner/events.js';
import { ProgressReporter } from '../../../engine/ui/progress.js';
import { failed, finished, retrying, runStarted, skipped, started, succeeded } from '../journal/events.js';
import { capture } from './capture.js';

interface Logged {
  event: string;
  data: unknown;
  task?: { title?: string; path?: (string | null)[] };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

async function drive(events: RunEvent[]): Promise<Logged[]> {
  const out = capture();
  const r = new ProgressReporter(out.stream, { renderer: 'test' });
  for (const e of events) {
    r.onEvent(e);
    await tick();
  }
  await r.close();
  return out
    .text()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Logged);
}

const plan: RunEvent = {
  type: 'plan.ready',
  steps: [
    { step: 'check', name: 'Check cluster', needs: [] },
    { step: 'drain', name: 'Drain nodes', needs: ['check'] },
    { step: 'notify', name: 'Notify', needs: ['drain'] },
  ],
};

function path(l: Logged): string {
  return (l.task?.path ?? []).filter((p) => p !== null).join(' > ');
}

describe('ProgressReporter', () => {
  it('a row per step in plan order, sub-rows per instance as they start, retries and skips in titles', async () => {
    const logged = await drive([
      runStarted(),
      plan,
      started('check'),
      succeeded('check'),
      started('drain@n1'),
      started('drain@n2'),
      retrying('drain@n2', 2, 'busy'),
      succeeded('drain@n1'),
      started('drain@n2', 2),
      succeeded('drain@n2', {}, 2),
      skipped('notify', 'when'),
      finished('succeeded'),
    ]);
    const firstStarts = logged.filter((l) => l.event === 'STATE' && l.data === 'STARTED' && l.task?.title !== undefined).map(path);
    expect(firstStarts.slice(0, 3)).toEqual(['Check cluster', 'Drain nodes', 'Notify']);
    expect(firstStarts).toContain('Drain nodes > drain@n1');
    expect(firstStarts.indexOf('Drain nodes > drain@n1')).toBeLessThan(firstStarts.indexOf('Drain nodes > drain@n2'));

    const titles = logged.filter((l) => l.event === 'TITLE').map((l) => l.data);
    expect(titles).toContain('drain@n2 (retry 2/3 in 1.0s: busy)');
    expect(titles).toContain('drain@n2 (attempt 2)');
    expect(titles).toContain('check (1.2s)'.replace('check', 'Check cluster'));
    expect(titles).toContain('drain@n1 (1.2s)');

    const completed = logged.filter((l) => l.event === 'STATE' && l.data === 'COMPLETED').map((l) => l.task?.title);
    expect(completed).toEqual(expect.arrayContaining(['Check cluster (1.2s)', 'drain@n1 (1.2s)', 'drain@n2 (1.2s)']));
    expect(completed.some((t) => t?.startsWith('Drain nodes ('))).toBe(true);
    const skips = logged.filter((l) => l.event === 'MESSAGE' && (l.data as { skip?: string }).skip !== undefined);
    expect(skips.map((l) => (l.data as { skip: string }).skip)).toEqual(['Notify skipped (when)']);
  });

  it('a failed instance fails its row and its step; a tolerated one fails only its row', async () => {
    const logged = await drive([
      plan,
      started('check@n1'),
      failed('check@n1', 'exit 1', 1, true),
      started('drain@n1'),
      failed('drain@n1', 'node busy'),
      finished('failed'),
    ]);
    const failedRows = logged.filter((l) => l.event === 'STATE' && l.data === 'FAILED' && l.task?.title !== undefined).map((l) => l.task?.title);
    expect(failedRows).toEqual(expect.arrayContaining(['check@n1', 'drain@n1']));
    expect(failedRows.some((t) => t?.startsWith('Drain nodes'))).toBe(true);
    expect(failedRows.some((t) => t?.startsWith('Check cluster'))).toBe(false);
    const errors = logged.filter((l) => l.event === 'MESSAGE' && (l.data as { error?: string }).error !== undefined).map((l) => (l.data as { error: string }).error);
    expect(errors).toEqual(expect.arrayContaining(['drain@n1: node busy (0.3s)', 'check@n1: exit 1 (tolerated) (0.3s)']));
    const skips = logged.filter((l) => l.event === 'MESSAGE' && (l.data as { skip?: string }).skip !== undefined);
    expect(skips.map((l) => (l.data as { skip: string }).skip)).toEqual(['Notify (not run)']);
  });

  it('does not throw with the non-interactive fallback and close waits for the end', async () => {
    const out = capture(false);
    const r = new ProgressReporter(out.stream);
    r.onEvent(plan);
    r.onEvent(started('check'));
    r.onEvent(succeeded('check'));
    r.onEvent(finished('succeeded'));
    await r.close();
    expect(out.text()).toContain('Check cluster (1.2s)');
    expect(out.text()).toContain('Notify (not run)');
  });

  it('close without a plan does nothing', async () => {
    await new ProgressReporter(capture().stream).close();
  });
});
