import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunDir, listRuns, newRunId, readRun } from '../../../engine/journal/store.js';
import { laterRunsOn, supersededRuns } from '../../../engine/journal/superseded.js';
import { JournalWriter } from '../../../engine/journal/writer.js';
import { JournalReporter } from '../../../engine/runner/journal-reporter.js';
import type { RunEvent } from '../../../engine/runner/events.js';
import { finished, runStarted, started } from '../../unit/journal/events.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'runs-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function run(runId: string, at: string, events: RunEvent[]): Promise<void> {
  const dir = await createRunDir(stateDir, runId);
  const w = new JournalReporter(await JournalWriter.open(dir, { now: () => new Date(at) }));
  for (const e of events) w.onEvent(e);
  await w.close();
}

describe('run store', () => {
  it('makes sortable unique run ids', () => {
    const a = newRunId(new Date('2026-11-22T04:12:33.456Z'));
    const b = newRunId(new Date('2026-11-22T04:12:33.456Z'));
    expect(a).toMatch(/^20261122T041233Z-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(newRunId(new Date('2026-11-22T04:12:34Z')) > a).toBe(true);
  });

  it('lists runs newest first', async () => {
    expect(await listRuns(stateDir)).toEqual([]);
    await run('r1', '2026-11-22T01:00:00Z', [runStarted({ runId: 'r1' }), started('a'), finished('failed')]);
    await run('r2', '2026-11-22T02:00:00Z', [runStarted({ runId: 'r2' }), started('a')]);
    await run('r3', '2026-11-22T03:00:00Z', [runStarted({ runId: 'r3' }), finished('succeeded')]);
    await mkdir(join(stateDir, 'runs', 'empty-dir'));
    await createRunDir(stateDir, 'no-records');
    await writeFile(join(stateDir, 'runs', 'no-records', 'journal.jsonl'), '');

    const runs = await listRuns(stateDir);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      ['r3', 'succeeded'],
      ['r2', 'running'],
      ['r1', 'failed'],
    ]);
  });

  it('marks an unfinished run superseded by a later run that changed the same cluster, not by a read-only one', async () => {
    await run('shutdown', '2026-11-22T01:00:00Z', [runStarted({ runId: 'shutdown', runbook: 'emergency-shutdown', cluster: 'lab' }), started('a')]);
    await run('status', '2026-11-22T01:30:00Z', [runStarted({ runId: 'status', runbook: 'cluster-status', cluster: 'lab', readOnly: true }), finished('succeeded')]);
    await run('elsewhere', '2026-11-22T01:40:00Z', [runStarted({ runId: 'elsewhere', runbook: 'drain-node', cluster: 'other' }), finished('succeeded')]);
    const before = await listRuns(stateDir);
    expect(supersededRuns(before).size).toBe(0);
    await run('reboot', '2026-11-22T02:00:00Z', [runStarted({ runId: 'reboot', runbook: 'reboot-from-shutdown', cluster: 'lab' }), finished('succeeded')]);
    const runs = await listRuns(stateDir);
    expect([...supersededRuns(runs)].map(([id, by]) => [id, by.runId])).toEqual([['shutdown', 'reboot']]);
    const shutdown = runs.find((r) => r.runId === 'shutdown');
    expect(shutdown === undefined ? [] : laterRunsOn(shutdown, runs).map((r) => r.runbook)).toEqual(['reboot-from-shutdown']);
  });

  it('reports a corrupt run instead of hiding the others', async () => {
    await run('good', '2026-11-22T01:00:00Z', [runStarted({ runId: 'good' })]);
    await createRunDir(stateDir, 'bad');
    await writeFile(join(stateDir, 'runs', 'bad', 'journal.jsonl'), 'x\n{"v":1}\n');
    const skipped: string[] = [];
    const runs = await listRuns(stateDir, { onSkip: (id) => skipped.push(id) });
    expect(runs.map((r) => r.runId)).toEqual(['good']);
    expect(skipped).toEqual(['bad']);
  });

  it('says which run is missing and rejects path-like ids', async () => {
    await expect(readRun(stateDir, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(readRun(stateDir, '../etc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
