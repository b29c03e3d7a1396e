/**
 * The runs of a state directory as the API gives them: each with its state replayed from its journal,
 * and the later run that superseded it, if one did.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunbookError } from '../errors.js';
import { parseJournal, type JournalRecord } from '../journal/records.js';
import type { RunState } from '../journal/replay.js';
import { listRuns as listStates, readRun } from '../journal/store.js';
import { supersededRuns } from '../journal/superseded.js';
import { JOURNAL_FILE } from '../journal/writer.js';

export interface RunSummary {
  readonly state: RunState;
  /** The later run on the same cluster that started after this one stopped, when it did not succeed. */
  readonly supersededBy?: RunState;
}

/** Every run, newest first; a run whose journal cannot be read is reported through `onSkip`. */
export async function listRuns(stateDir: string, options: { onSkip?: (runId: string, error: RunbookError) => void } = {}): Promise<RunSummary[]> {
  const states = await listStates(stateDir, options);
  const superseded = supersededRuns(states);
  return states.map((state) => {
    const by = superseded.get(state.runId);
    return by === undefined ? { state } : { state, supersededBy: by };
  });
}

/** One run: its state and every record of its journal, in order. */
export async function showRun(stateDir: string, runId: string): Promise<{ state: RunState; records: readonly JournalRecord[]; dir: string }> {
  const { state, dir } = await readRun(stateDir, runId);
  const path = join(dir, JOURNAL_FILE);
  const { records } = parseJournal(await readFile(path, 'utf8'), path);
  return { state, records, dir };
}
