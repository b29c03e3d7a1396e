import { mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJournal } from '../../../engine/journal/records.js';
import { replay } from '../../../engine/journal/replay.js';
import { createRunDir, FileRunStore } from '../../../engine/journal/file-store.js';
import { JournalWriter } from '../../../engine/journal/writer.js';
import { JournalReporter } from '../../../engine/runner/journal-reporter.js';
import { failed, finished, log, runStarted, started, succeeded } from '../../unit/journal/events.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'journal-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const RUN = '20261122T041233Z-3f9a1c';

describe('JournalWriter', () => {
  it('round trips through replay, with private modes', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w = new JournalReporter(await JournalWriter.open(dir));
    w.onEvent(runStarted());
    w.onEvent({ type: 'plan.ready', steps: [{ step: 'a', name: 'A', needs: [] }] });
    w.onEvent(started('a@n1'));
    w.onEvent(log('a@n1', 'output line'));
    w.onEvent(succeeded('a@n1', { id: 'x' }));
    w.onEvent(finished('succeeded'));
    await w.flush();
    await w.close();

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, 'runs'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'journal.jsonl'))).mode & 0o777).toBe(0o600);

    const text = await readFile(join(dir, 'journal.jsonl'), 'utf8');
    expect(text).not.toContain('output line');
    expect(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      'run.started',
      'step.started',
      'step.succeeded',
      'run.finished',
    ]);
    const { state, torn } = await new FileRunStore(stateDir).read(RUN);
    expect(torn).toBe(false);
    expect(state.status).toBe('succeeded');
    expect(state.instances.get('a@n1')?.outputs).toEqual({ id: 'x' });
    expect(w.stats.records).toBe(4);
  });

  it('continues the sequence on reopen', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w1 = new JournalReporter(await JournalWriter.open(dir));
    w1.onEvent(runStarted());
    w1.onEvent(started('a'));
    await w1.close();
    const w2 = new JournalReporter(await JournalWriter.open(dir));
    w2.onEvent(runStarted({ resumed: true }));
    await w2.close();
    const { records } = parseJournal(await readFile(join(dir, 'journal.jsonl'), 'utf8'));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('tolerates a torn last line and cuts it off before appending', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w1 = new JournalReporter(await JournalWriter.open(dir));
    w1.onEvent(runStarted());
    w1.onEvent(started('a'));
    await w1.close();
    const path = join(dir, 'journal.jsonl');
    await appendFile(path, '{"v":1,"seq":3,"ts":"2026-11-22T04:1');

    const before = await new FileRunStore(stateDir).read(RUN);
    expect(before.torn).toBe(true);
    expect(before.state.instances.get('a')?.status).toBe('started');

    const w2 = new JournalReporter(await JournalWriter.open(dir));
    w2.onEvent(failed('a'));
    await w2.close();
    const after = await new FileRunStore(stateDir).read(RUN);
    expect(after.torn).toBe(false);
    expect(after.state.records).toBe(3);
    expect(after.state.instances.get('a')?.status).toBe('failed');
    expect(await readFile(path, 'utf8')).not.toContain('04:1\n');
  });

  it('refuses to open a journal with a corrupt middle line', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w = new JournalReporter(await JournalWriter.open(dir));
    w.onEvent(runStarted());
    w.onEvent(started('a'));
    await w.close();
    const path = join(dir, 'journal.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, [lines[0], 'garbage', lines[1], ''].join('\n'));
    await expect(JournalWriter.open(dir)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/journal\.jsonl:2 is corrupt/) });
    await expect(new FileRunStore(stateDir).read(RUN)).rejects.toThrow(/:2 is corrupt/);
  });

  it('group commit: 100 concurrent flushes share few fsyncs and every record is durable', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w = new JournalReporter(await JournalWriter.open(dir));
    w.onEvent(runStarted());
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 100; i += 1) {
      w.onEvent(started(`s${i}`));
      flushes.push(w.flush());
      // Half of the callers arrive while an fsync is already running.
      if (i === 49) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(flushes);
    expect(w.stats.fsyncs).toBeGreaterThanOrEqual(1);
    expect(w.stats.fsyncs).toBeLessThanOrEqual(4);
    const { records } = parseJournal(await readFile(join(dir, 'journal.jsonl'), 'utf8'));
    expect(records).toHaveLength(101);
    await w.close();
    console.log(`group commit: 101 records, ${w.stats.fsyncs} fsyncs, ${w.stats.fsyncMs.toFixed(1)} ms in fsync`);
  });

  it('a flush with nothing new resolves at once', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w = new JournalReporter(await JournalWriter.open(dir));
    await w.flush();
    expect(w.stats.fsyncs).toBe(0);
    await w.close();
  });

  it('replays a 10,000-record journal (benchmark, printed not asserted)', async () => {
    const dir = await createRunDir(stateDir, RUN);
    const w = new JournalReporter(await JournalWriter.open(dir));
    w.onEvent(runStarted());
    for (let i = 0; w.stats.records < 10_000; i += 1) {
      w.onEvent(started(`step${i % 200}[${i}]@node${i % 50}`));
      if (w.stats.records < 10_000) w.onEvent(succeeded(`step${i % 200}[${i}]@node${i % 50}`, { index: i, name: `item-${i}` }));
    }
    await w.close();
    const t0 = performance.now();
    const { state } = await new FileRunStore(stateDir).read(RUN);
    const ms = performance.now() - t0;
    expect(state.records).toBe(10_000);
    console.log(`replay of 10,000 records including read: ${ms.toFixed(1)} ms`);
    expect(replay(parseJournal(await readFile(join(dir, 'journal.jsonl'), 'utf8')).records).instances.size).toBe(state.instances.size);
  });
});
