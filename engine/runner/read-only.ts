/**
 * Whether a runbook can change anything. A read-only runbook (every step an action that only reads,
 * such as `cluster-status`) takes no cluster lock and never supersedes an unfinished run.
 */
import { onlyReads } from '../actions/define.js';
import { getAction } from '../actions/index.js';
import type { Runbook } from '../dsl/types.js';

export function changesNothing(runbook: Runbook): boolean {
  return runbook.steps.every((step) => {
    const action = getAction(step.action);
    return action !== undefined && onlyReads(action, step.with as Record<string, unknown>);
  });
}
