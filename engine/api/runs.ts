/**
 * The runs of a store as the API gives them: each with the later run that superseded it, if one did;
 * and runs copied from one store to another.
 */
import { isRunbookError } from '../errors.js';
import type { RunHeader, RunStore, StoredRun } from '../journal/run-store.js';
import { supersededRuns } from '../journal/superseded.js';

export interface RunSummary {
  readonly state: RunHeader;
  /** The later run on the same cluster that started after this one stopped, when it did not succeed. */
  readonly supersededBy?: RunHeader;
}

/** Every run, newest first; a run whose journal cannot be read is reported through `onSkip`. */
export async function listRuns(store: RunStore, options: { onSkip?: (runId: string, error: Error) => void } = {}): Promise<RunSummary[]> {
  const states = await store.list(options);
  const superseded = supersededRuns(states);
  return states.map((state) => {
    const by = superseded.get(state.runId);
    return by === undefined ? { state } : { state, supersededBy: by };
  });
}

/** One run: its state and every record of its journal, in order. */
export function showRun(store: RunStore, runId: string): Promise<StoredRun> {
  return store.read(runId);
}

/** What copying did for one run. */
export interface CopiedRun {
  readonly runId: string;
  /** Records added; 0 when the destination already had them all. */
  readonly added: number;
  /** Why the run was not copied, when it was not. */
  readonly problem?: string;
}

/**
 * Copies every run of `from` into `to`, oldest first, record by record with their own seq and time:
 * copying again adds only what is new since, and a run that differs at the destination is left alone.
 */
export async function copyRuns(from: RunStore, to: RunStore, onRun: (copied: CopiedRun) => void = () => undefined): Promise<CopiedRun[]> {
  const done: CopiedRun[] = [];
  const note = (c: CopiedRun): void => {
    done.push(c);
    onRun(c);
  };
  const runs = await from.list({ onSkip: (runId, e) => note({ runId, added: 0, problem: e.message }) });
  for (const header of [...runs].reverse()) {
    try {
      const { added } = await to.importRun(await from.read(header.runId));
      note({ runId: header.runId, added });
    } catch (e) {
      if (!(isRunbookError(e) && (e.code === 'INVALID' || e.code === 'NOT_FOUND'))) throw e;
      note({ runId: header.runId, added: 0, problem: e.message });
    }
  }
  return done;
}
