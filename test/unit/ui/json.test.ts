import { describe, expect, it } from 'vitest';
import { JsonReporter } from '../../../engine/ui/json.js';
import type { RunEvent } from '../../../engine/runner/events.js';
import { finished, log, runStarted, started, succeeded } from '../journal/events.js';
import { capture } from './capture.js';

describe('JsonReporter', () => {
  it('writes one parseable object per line, with ts, in event order', async () => {
    const out = capture();
    const r = new JsonReporter(out.stream, { now: () => new Date('2026-11-22T04:00:00Z') });
    const events: RunEvent[] = [runStarted(), { type: 'plan.ready', steps: [] }, started('a@n1'), log('a@n1', 'hi'), succeeded('a@n1'), finished('succeeded')];
    for (const e of events) r.onEvent(e);
    await r.close();
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; ts: string });
    expect(parsed.map((p) => p.type)).toEqual(events.map((e) => e.type));
    expect(parsed.every((p) => p.ts === '2026-11-22T04:00:00.000Z')).toBe(true);
    expect(parsed[3]).toMatchObject({ instance: 'a@n1', line: 'hi' });
  });
});
