/**
 * Which unfinished runs the cluster has moved on from (pure). A run is superseded when a later run
 * that changes the same cluster started after it was last seen: resuming it would act on the state
 * it left, not on the state the cluster is in now.
 */
import type { RunState } from './replay.js';

/** The later runs on `run`'s cluster that started after it last did anything, oldest first. */
export function laterRunsOn(run: RunState, runs: readonly RunState[]): RunState[] {
  if (run.cluster === undefined) return [];
  return runs
    .filter((r) => r.runId !== run.runId && r.cluster === run.cluster && !r.readOnly && r.startedAt > run.lastRecordAt)
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
}

/** For each unfinished run that a later run superseded: the first of those later runs. */
export function supersededRuns(runs: readonly RunState[]): Map<string, RunState> {
  const out = new Map<string, RunState>();
  for (const run of runs) {
    if (run.status === 'succeeded') continue;
    const later = laterRunsOn(run, runs)[0];
    if (later !== undefined) out.set(run.runId, later);
  }
  return out;
}
