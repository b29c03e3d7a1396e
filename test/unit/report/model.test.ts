/**
 * The report's model: journal records → sessions, lanes and bars with their segments; the time scale
 * that shortens the pause between sessions; and the HTML's escaping of what a journal holds.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry, JournalRecord } from '../../../engine/journal/records.js';
import { reportHtml } from '../../../engine/report/html.js';
import { GAP_WIDTH, layoutTimeline, timeScale } from '../../../engine/report/layout.js';
import { reportModel, type Bar, type StepInfo } from '../../../engine/report/model.js';

const T0 = Date.parse('2026-11-22T04:00:00.000Z');

/** Records at the given seconds after T0, numbered in order. */
function journal(entries: readonly (readonly [number, JournalEntry])[]): JournalRecord[] {
  return entries.map(([s, e], i) => ({ v: 1, seq: i + 1, ts: new Date(T0 + s * 1000).toISOString(), ...e }) as JournalRecord);
}

const start = (resumed = false, pid = 1): JournalEntry => ({
  type: 'run.started',
  runId: '20261122T040000Z-abcdef',
  runbook: 'demo',
  runbookFile: '/rb/demo.yaml',
  runbookHash: 'h1',
  inventoryFile: '/inv.yaml',
  inventoryHash: 'i1',
  cluster: 'c',
  inputs: { node: 'node1' },
  secretInputs: ['token'],
  givenInputs: ['token'],
  resumed,
  pid,
  host: 'ops',
});
const ref = (instance: string): { step: string; instance: string; target: string } => ({
  step: instance.split(/[[@]/)[0] ?? instance,
  instance,
  target: instance.split('@')[1] ?? 'local',
});
const begun = (i: string, attempt = 1): JournalEntry => ({ type: 'step.started', ...ref(i), attempt });
const done = (i: string, outputs: Record<string, unknown> = {}, secretOutputs: string[] = [], attempt = 1): JournalEntry => ({
  type: 'step.succeeded', ...ref(i), attempt, durationMs: 1000, outputs, secretOutputs,
});
const retry = (i: string, attempt: number): JournalEntry => ({ type: 'step.retrying', ...ref(i), attempt, maxAttempts: 3, delayMs: 1000, error: `attempt ${attempt - 1} failed` });
const fail = (i: string, error: string, tolerated = false): JournalEntry => ({
  type: 'step.failed', ...ref(i), attempt: 1, durationMs: 1000, error, code: 'COMMAND_FAILED', details: ['stderr line'], tolerated,
});
const skip = (i: string, reason: 'when' | 'resumed'): JournalEntry => ({ type: 'step.skipped', ...ref(i), reason });
const end = (status: 'succeeded' | 'failed' | 'interrupted'): JournalEntry => ({ type: 'run.finished', status, durationMs: 0 });

const bar = (bars: readonly Bar[], instance: string): Bar => {
  const found = bars.find((b) => b.instance === instance);
  if (found === undefined) throw new Error(`no bar ${instance}`);
  return found;
};

describe('report model', () => {
  it('gives a lane per node, local first and nodes in natural order, and a bar per instance', () => {
    const r = reportModel(
      journal([
        [0, start()],
        [1, begun('prep')],
        [2, done('prep')],
        ...(['node10', 'node2', 'node1'] as const).flatMap((n, i): [number, JournalEntry][] => [
          [3 + i, begun(`label@${n}`)],
          [6 + i, done(`label@${n}`)],
        ]),
        [10, end('succeeded')],
      ]),
    );
    expect(r.lanes.map((l) => l.id)).toEqual(['local', 'node1', 'node2', 'node10']);
    expect(r.lanes.map((l) => l.bars.map((b) => b.instance))).toEqual([['prep'], ['label@node1'], ['label@node2'], ['label@node10']]);
    expect(r.bars.filter((b) => b.step === 'label')).toHaveLength(3);
    expect(bar(r.bars, 'label@node2')).toMatchObject({ outcome: 'succeeded', start: T0 + 4000, end: T0 + 7000, busyMs: 3000, resumed: false });
  });

  it('shows each attempt and the wait before each retry as segments of one bar', () => {
    const r = reportModel(
      journal([
        [0, start()],
        [1, begun('flaky')],
        [2, retry('flaky', 2)],
        [4, begun('flaky', 2)],
        [5, retry('flaky', 3)],
        [7, begun('flaky', 3)],
        [8, done('flaky', {}, [], 3)],
        [9, end('succeeded')],
      ]),
    );
    const b = bar(r.bars, 'flaky');
    expect(b.attempts).toBe(3);
    expect(b.segments.map((s) => [s.kind, s.attempt, s.outcome, (s.end - s.start) / 1000])).toEqual([
      ['attempt', 1, 'failed', 1],
      ['retry-wait', undefined, undefined, 2],
      ['attempt', 2, 'failed', 1],
      ['retry-wait', undefined, undefined, 2],
      ['attempt', 3, 'succeeded', 1],
    ]);
    expect(b.segments[1]?.note).toBe('attempt 1 failed');
    expect(b.busyMs).toBe(7000);
  });

  it('marks what ran again after a resume, and cuts the killed session’s attempt as interrupted', () => {
    const r = reportModel(
      journal([
        [0, start()],
        [1, begun('first')],
        [2, done('first')],
        [3, begun('slow')],
        // killed here: no run.finished; resumed an hour later
        [3600, start(true, 2)],
        [3600, skip('first', 'resumed')],
        [3601, begun('slow')],
        [3605, done('slow')],
        [3606, end('succeeded')],
      ]),
    );
    expect(r.sessions.map((s) => [s.index, s.resumed, (s.end - s.start) / 1000, s.status])).toEqual([
      [1, false, 3, undefined],
      [2, true, 6, 'succeeded'],
    ]);
    const slow = bar(r.bars, 'slow');
    expect(slow.outcome).toBe('succeeded');
    expect(slow.resumed).toBe(true);
    expect(slow.attempts).toBe(2);
    expect(slow.segments.map((s) => [s.session, s.outcome])).toEqual([
      [1, 'interrupted'],
      [2, 'succeeded'],
    ]);
    // Restored from the journal, not run again: the first session's success stands.
    expect(bar(r.bars, 'first')).toMatchObject({ outcome: 'succeeded', resumed: false });
    expect(r.bars).toHaveLength(2);
  });

  it('calls an unfinished instance running while the run has not finished, interrupted once it has', () => {
    const open = journal([[0, start()], [1, begun('a@node1')]]);
    expect(reportModel(open).bars[0]?.outcome).toBe('running');
    const stopped = journal([[0, start()], [1, begun('a@node1')], [5, end('interrupted')]]);
    const b = reportModel(stopped).bars[0];
    expect(b?.outcome).toBe('interrupted');
    expect(b?.segments[0]).toMatchObject({ outcome: 'interrupted', end: T0 + 5000 });
  });

  it('keeps skips as instants and tolerated failures apart from failures', () => {
    const r = reportModel(
      journal([
        [0, start()],
        [1, skip('never', 'when')],
        [2, begun('soft@node1')],
        [3, fail('soft@node1', 'exit 1', true)],
        [4, end('succeeded')],
      ]),
    );
    expect(bar(r.bars, 'never')).toMatchObject({ outcome: 'skipped', start: T0 + 1000, end: T0 + 1000, segments: [], skipReason: 'when' });
    expect(bar(r.bars, 'soft@node1')).toMatchObject({ outcome: 'tolerated', error: 'exit 1', code: 'COMMAND_FAILED', details: ['stderr line'] });
  });

  it('holds no secret value: secret inputs and outputs are names only', () => {
    const r = reportModel(journal([[0, start()], [1, begun('tok@node1')], [2, done('tok@node1', { stdout: 'x' }, ['token'])], [3, end('succeeded')]]));
    expect(r.inputs).toEqual([
      { name: 'node', value: 'node1', secret: false, given: false },
      { name: 'token', secret: true, given: true },
    ]);
    expect(bar(r.bars, 'tok@node1').outputs).toEqual([
      { name: 'stdout', value: 'x', secret: false },
      { name: 'token', secret: true },
    ]);
    expect(r).toMatchObject({ inventoryHash: 'i1', runbook: 'demo', status: 'succeeded' });
  });

  it("draws a gate's wait on the bars it held, from the end of the step's needs to the answer", () => {
    const records = journal([
      [0, start()],
      [1, begun('prep')],
      [2, done('prep')],
      [3, begun('other')],
      [4, done('other')],
      [9, { type: 'gate.answered', gate: 'step:drain', question: 'Drain?', answer: true, by: 'tty' }],
      [9, begun('drain@node1')],
      [9, begun('drain@node2')],
      [10, done('drain@node1')],
      [10, done('drain@node2')],
      [11, end('succeeded')],
    ]);
    const steps = new Map<string, StepInfo>([
      ['prep', { action: 'shell', needs: [] }],
      ['other', { action: 'wait.until', needs: [] }],
      ['drain', { name: 'Drain the node', action: 'docker.node.update', needs: ['prep'] }],
    ]);
    const known = reportModel(records, steps);
    expect(known.gates).toMatchObject([{ gate: 'step:drain', start: T0 + 2000, at: T0 + 9000, instances: ['drain@node1', 'drain@node2'] }]);
    for (const i of ['drain@node1', 'drain@node2']) {
      expect(bar(known.bars, i).segments[0]).toMatchObject({ kind: 'gate', start: T0 + 2000, end: T0 + 9000, note: 'Drain?' });
      expect(bar(known.bars, i).busyMs).toBe(1000);
    }
    expect(bar(known.bars, 'other')).toMatchObject({ waiting: true, action: 'wait.until' });
    expect(bar(known.bars, 'drain@node1')).toMatchObject({ waiting: false, name: 'Drain the node' });
    // Without the runbook the wait is taken from the record before the answer.
    const unknown = reportModel(records);
    expect(unknown.gates[0]?.start).toBe(T0 + 4000);
    expect(unknown.knowsSteps).toBe(false);
  });
});

describe('report time scale', () => {
  it('draws the pause between sessions as one fixed break', () => {
    const day = 86_400_000;
    const sessions = [
      { index: 1, start: T0, end: T0 + 10_000, resumed: false, host: 'h', pid: 1 },
      { index: 2, start: T0 + day, end: T0 + day + 10_000, resumed: true, host: 'h', pid: 2 },
    ];
    const scale = timeScale(sessions, 1000 + GAP_WIDTH);
    expect(scale.x(T0)).toBe(0);
    expect(scale.x(T0 + 10_000)).toBe(500);
    expect(scale.x(T0 + day)).toBe(500 + GAP_WIDTH);
    expect(scale.x(T0 + day + 10_000)).toBe(1000 + GAP_WIDTH);
    expect(scale.breaks).toEqual([{ x: 500 + GAP_WIDTH / 2, pauseMs: day - 10_000, session: 2 }]);
  });

  it('stacks instances that overlap on one node in rows of their lane', () => {
    const r = reportModel(
      journal([
        [0, start()],
        [1, begun('a@node1')],
        [1, begun('b@node1')],
        [2, done('a@node1')],
        [3, done('b@node1')],
        [4, begun('c@node1')],
        [5, done('c@node1')],
        [6, end('succeeded')],
      ]),
    );
    const lane = layoutTimeline(r, 1200).lanes[0];
    expect(lane?.bars.map((b) => [b.bar.instance, b.row])).toEqual([
      ['a@node1', 0],
      ['b@node1', 1],
      ['c@node1', 0],
    ]);
  });
});

describe('report HTML', () => {
  it('escapes what the journal holds', () => {
    const evil = '<img src=x onerror=alert(1)> & "quotes"';
    const html = reportHtml(reportModel(journal([[0, start()], [1, begun('x@node1')], [2, fail('x@node1', evil)], [3, end('failed')]])));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
  });
});
