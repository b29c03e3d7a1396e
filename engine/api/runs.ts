/**
 * The runs of a store as the API gives them: each with the later run that superseded it, if one did.
 */
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
