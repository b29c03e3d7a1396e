/**
 * The engine's public API: load and validate runbooks, plan, run and resume them, list and show runs.
 * The command line is a thin layer over it, and so is the benchmark. See docs/api.md.
 *
 *   const ports = systemPorts(process.stdin, process.stderr);
 *   const runbook = loadRunbook('runbooks/cluster-status.yaml').value;
 *   const store = await openRunStore({ stateDir: '.runbook' });
 *   const outcome = await run({ runbook, inputs: {}, inventory, store, ports });
 */
export { actionDescriptors } from './actions/index.js';
export { loadRunbook, validate } from './api/load.js';
export { plan, type PlanOptions } from './api/plan.js';
export { run, type RunOptions } from './api/run.js';
export { describeRun, resume, type ResumeOptions, type ResumeResult } from './api/resume.js';
export { copyRuns, listRuns, showRun, type CopiedRun, type RunSummary } from './api/runs.js';
export { openRunStore, type StoreLocation } from './journal/open-store.js';
export type { RunHeader, RunStore, StoredRun } from './journal/run-store.js';
export { INPUT_ENV_PREFIX, inputsFromEnvironment, resolveInputs } from './dsl/inputs.js';
export { DiagnosticsError, hasErrors, type Diagnostic, type Loaded } from './dsl/diagnostics.js';
export type { Runbook } from './dsl/types.js';
export { isRunbookError, RunbookError, type RunbookErrorCode } from './errors.js';
export { loadInventory } from './inventory/load.js';
export { parseLimit, type Limit } from './inventory/limit.js';
export type { Inventory } from './inventory/types.js';
export type { Ports } from './io/ports.js';
export { systemPorts } from './io/system-ports.js';
export type { Reporter, RunEvent, RunStatus } from './runner/events.js';
export type { Plan } from './runner/dry-run.js';
export type { RunOutcome } from './runner/run.js';

import type { Ports } from './io/ports.js';

/** Closes the SSH connections and Docker sockets the ports opened. */
export async function closePorts(ports: Ports): Promise<void> {
  await Promise.all([ports.ssh.close(), ports.docker.close()]);
}
