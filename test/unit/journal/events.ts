import type { RunEvent } from '../../../engine/runner/events.js';

/** In-memory builders for run events. */
export function runStarted(overrides: Partial<Extract<RunEvent, { type: 'run.started' }>> = {}): RunEvent {
  return {
    type: 'run.started',
    runId: '20261122T041233Z-3f9a1c',
    runbook: 'label-node',
    runbookFile: 'runbooks/label-node.yaml',
    runbookHash: 'aaa',
    inventoryFile: 'inventory/default.yaml',
    inventoryHash: 'bbb',
    cluster: 'dccn',
    inputs: { node: 'n1' },
    secretInputs: ['token'],
    resumed: false,
    pid: 1,
    host: 'h',
    ...overrides,
  };
}

const ref = (instance: string) => ({ step: instance.split(/[[@]/)[0] ?? instance, instance, target: instance.split('@')[1] ?? 'local' });

export const started = (instance: string, attempt = 1): RunEvent => ({ type: 'step.started', ...ref(instance), attempt });
export const succeeded = (instance: string, outputs: Record<string, unknown> = {}, attempt = 1): RunEvent => ({
  type: 'step.succeeded',
  ...ref(instance),
  attempt,
  durationMs: 1200,
  outputs,
  secretOutputs: [],
});
export const failed = (instance: string, error = 'boom', attempt = 1, tolerated = false): RunEvent => ({
  type: 'step.failed',
  ...ref(instance),
  attempt,
  durationMs: 300,
  error,
  code: 'COMMAND_FAILED',
  details: [],
  tolerated,
});
export const retrying = (instance: string, attempt: number, error = 'flaky'): RunEvent => ({
  type: 'step.retrying',
  ...ref(instance),
  attempt,
  maxAttempts: 3,
  delayMs: 1000,
  error,
});
export const skipped = (instance: string, reason: 'when' | 'check' | 'needs-failed' | 'resumed' = 'when'): RunEvent => ({
  type: 'step.skipped',
  ...ref(instance),
  reason,
});
export const log = (instance: string, line: string): RunEvent => ({ type: 'step.log', ...ref(instance), stream: 'stdout', line });
export const finished = (status: 'succeeded' | 'failed' | 'interrupted' | 'refused', durationMs = 5000): RunEvent => ({
  type: 'run.finished',
  status,
  durationMs,
});
