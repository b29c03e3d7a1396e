/**
 * Which unfinished runs the cluster has moved on from (pure). A run is superseded when a later run
 * that changes the same cluster started after it was last seen: resuming it would act on the state
 * it left, not on the state the cluster is in now.
 */
import type { RunHeader } from './run-store.js';

/** The later runs on `run`'s cluster that started after it last did anything, oldest first. */
export function laterRunsOn<R extends RunHeader>(run: RunHeader, runs: readonly R[]): R[] {
  if (run.cluster === undefined) return [];
  return runs
    .filter((r) => r.runId !== run.runId && r.cluster === run.cluster && !r.readOnly && r.startedAt > run.lastRecordAt)
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
}

/** For each unfinished run that a later run superseded: the first of those later runs. */
export function supersededRuns<R extends RunHeader>(runs: readonly R[]): Map<string, R> {
  const out = new Map<string, R>();
  for (const run of runs) {
    if (run.status === 'succeeded') continue;
    const later = laterRunsOn(run, runs)[0];
    if (later !== undefined) out.set(run.runId, later);
  }
  return out;
}
