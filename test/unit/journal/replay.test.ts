import { describe, expect, it } from 'vitest';
import { formatRecord, parseJournal, type JournalEntry, type JournalRecord } from '../../../engine/journal/records.js';
import { replay } from '../../../engine/journal/replay.js';
import type { RunEvent } from '../../../engine/runner/events.js';
import { toEntry } from '../../../engine/runner/journal-reporter.js';
import { failed, finished, log, retrying, runStarted, skipped, started, succeeded } from './events.js';

function records(events: RunEvent[]): JournalRecord[] {
  const text = events
    .map(toEntry)
    .filter((e): e is JournalEntry => e !== undefined)
    .map((e, i) => formatRecord(i + 1, new Date(Date.UTC(2026, 10, 22, 4, 0, i)).toISOString(), e))
    .join('');
  return parseJournal(text).records;
}

describe('replay', () => {
  it('derives the run and its instances', () => {
    const state = replay(
      records([
        runStarted(),
        started('label@n1'),
        log('label@n1', 'hello'),
        succeeded('label@n1', { changed: true }),
        { type: 'gate.answered', gate: 'confirm', question: 'Label?', answer: true, by: 'flag' },
        skipped('show', 'when'),
        finished('succeeded'),
      ]),
    );
    expect(state.status).toBe('succeeded');
    expect(state.records).toBe(6);
    expect(state.attemptsTotal).toBe(1);
    expect(state.runbookHash).toBe('aaa');
    expect(state.finishedAt).toBe('2026-11-22T04:00:05.000Z');
    expect(state.gates.get('confirm')).toBe(true);
    expect([...state.instances.keys()]).toEqual(['label@n1', 'show']);
    expect(state.instances.get('label@n1')).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      outputs: { changed: true },
      startedAt: '2026-11-22T04:00:01.000Z',
      endedAt: '2026-11-22T04:00:02.000Z',
    });
    expect(state.instances.get('show')).toMatchObject({ status: 'skipped', skipReason: 'when' });
  });

  it('a resumed run: failed then succeeded is succeeded, started without end is started', () => {
    const state = replay(
      records([
        runStarted(),
        started('a'),
        succeeded('a', { x: 1 }),
        started('b'),
        retrying('b', 2),
        started('b', 2),
        failed('b', 'exit 1', 2),
        started('c'),
        finished('failed'),
        runStarted({ resumed: true, runbookHash: 'ccc' }),
        started('b'),
        succeeded('b', { y: 2 }),
        started('c'),
      ]),
    );
    expect(state.status).toBe('running');
    expect(state.finishedAt).toBeUndefined();
    expect(state.attemptsTotal).toBe(2);
    expect(state.runbookHash).toBe('ccc');
    expect(state.startedAt).toBe('2026-11-22T04:00:00.000Z');
    expect(state.instances.get('a')).toMatchObject({ status: 'succeeded', outputs: { x: 1 } });
    const b = state.instances.get('b');
    expect(b).toMatchObject({ status: 'succeeded', attempts: 3, outputs: { y: 2 } });
    expect(b?.error).toBeUndefined();
    expect(state.instances.get('c')).toMatchObject({ status: 'started', attempts: 2 });
  });

  it('keeps the failure message, tolerance and retry error', () => {
    const state = replay(records([runStarted(), started('x'), retrying('x', 2, 'flaky net'), failed('x', 'gone', 1, true)]));
    expect(state.instances.get('x')).toMatchObject({ status: 'failed', error: 'gone', tolerated: true });
    const mid = replay(records([runStarted(), started('x'), retrying('x', 2, 'flaky net')]));
    expect(mid.instances.get('x')).toMatchObject({ status: 'started', error: 'flaky net', attempts: 1 });
  });

  it('a resume that skips finished work keeps the earlier result', () => {
    const state = replay(records([runStarted(), started('a'), succeeded('a', { x: 1 }), finished('interrupted'), runStarted(), skipped('a', 'resumed')]));
    expect(state.instances.get('a')).toMatchObject({ status: 'succeeded', outputs: { x: 1 } });
  });

  it('refuses a journal without run.started', () => {
    expect(() => replay([])).toThrow(/empty/);
    expect(() => replay(records([started('a')]))).toThrow(/not run.started/);
  });
});

describe('parseJournal', () => {
  const good = formatRecord(1, '2026-11-22T04:00:00.000Z', runStarted() as never) + formatRecord(2, '2026-11-22T04:00:01.000Z', started('a') as never);

  it('ignores a torn last line and says so', () => {
    const text = good + '{"v":1,"seq":3,"ts":"2026-11-2';
    const parsed = parseJournal(text);
    expect(parsed.torn).toBe(true);
    expect(parsed.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(parsed.validBytes).toBe(Buffer.byteLength(good));
  });

  it('refuses a corrupt middle line with file and line', () => {
    const [first, second] = good.split('\n');
    expect(() => parseJournal(`${first}\n{not json\n${second}\n`, 'runs/x/journal.jsonl')).toThrow(
      /journal runs\/x\/journal.jsonl:2 is corrupt/,
    );
  });

  it('refuses an unknown record version clearly', () => {
    expect(() => parseJournal(good.replace('{"v":1,"seq":2', '{"v":2,"seq":2'))).toThrow(/record version 2.*reads version 1/);
  });

  it('refuses records out of sequence', () => {
    expect(() => parseJournal(good + good)).toThrow(/seq 1 does not follow 2/);
  });

  it('accepts a complete last record without its newline', () => {
    const parsed = parseJournal(good.slice(0, -1));
    expect(parsed).toMatchObject({ torn: false, missingNewline: true });
    expect(parsed.records).toHaveLength(2);
  });

  it('never journals step.log or plan.ready', () => {
    expect(toEntry(log('a', 'x'))).toBeUndefined();
    expect(toEntry({ type: 'plan.ready', steps: [] })).toBeUndefined();
    expect(toEntry(started('a'))).toEqual(started('a'));
  });

  it('journals each event field by field: a field the record type does not have is not written', () => {
    const event = { ...(started('a') as Extract<RunEvent, { type: 'step.started' }>), extra: 'not in the format' } as RunEvent;
    expect(toEntry(event)).toEqual(started('a'));
    const run = runStarted({ readOnly: true, givenInputs: ['node'] });
    expect(toEntry(run)).toEqual(run);
  });

  it('refuses a record of another version, naming it', () => {
    const line = JSON.stringify({ v: 2, seq: 1, ts: '2026-11-22T04:00:00Z', type: 'run.started' });
    expect(() => parseJournal(`${line}\n`, 'j.jsonl')).toThrow('journal j.jsonl:1 has record version 2, but this runbook reads version 1');
  });

  it('keeps the first identity recorded of each node and connection; a journal without any has none', () => {
    const identified = (hostname: string, nodeId?: string): RunEvent => ({
      type: 'node.identified',
      node: 'n2',
      via: 'docker',
      endpoint: 'unix:///var/run/docker.sock',
      hostname,
      ...(nodeId === undefined ? {} : { nodeId }),
    });
    const state = replay(
      records([
        runStarted(),
        identified('n2', 'abc'),
        { type: 'node.identified', node: 'n2', via: 'ssh', endpoint: 'ssh://root@10.0.0.2:22', hostname: 'n2' },
        finished('failed'),
        runStarted({ resumed: true }),
        identified('elsewhere'),
      ]),
    );
    expect([...state.identities.keys()]).toEqual(['docker:n2', 'ssh:n2']);
    expect(state.identities.get('docker:n2')).toEqual({ node: 'n2', via: 'docker', endpoint: 'unix:///var/run/docker.sock', hostname: 'n2', nodeId: 'abc' });
    expect(replay(records([runStarted(), started('a'), finished('succeeded')])).identities.size).toBe(0);
  });
});

