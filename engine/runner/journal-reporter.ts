/**
 * The journal as a reporter of run events: the one place where events become journal entries, field
 * by field. `step.log` (volume, possibly sensitive output) and `plan.ready` (derivable from the
 * runbook) are not journaled.
 */
import type { JournalEntry } from '../journal/records.js';
import type { JournalStats, RunJournal } from '../journal/run-store.js';
import type { Reporter, RunEvent, StepInstanceRef } from './events.js';

function ref(e: StepInstanceRef): StepInstanceRef {
  return e.key === undefined ? { step: e.step, instance: e.instance, target: e.target } : { step: e.step, instance: e.instance, target: e.target, key: e.key };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The entry an event is journaled as, or undefined for events the journal does not keep. */
export function toEntry(e: RunEvent): JournalEntry | undefined {
  switch (e.type) {
    case 'run.started':
      return {
        type: e.type,
        runId: e.runId,
        runbook: e.runbook,
        runbookFile: e.runbookFile,
        runbookHash: e.runbookHash,
        ...optional('inventoryFile', e.inventoryFile),
        ...optional('inventoryHash', e.inventoryHash),
        ...optional('cluster', e.cluster),
        inputs: e.inputs,
        secretInputs: e.secretInputs,
        ...optional('givenInputs', e.givenInputs),
        ...optional('readOnly', e.readOnly),
        ...optional('limit', e.limit),
        resumed: e.resumed,
        pid: e.pid,
        host: e.host,
      };
    case 'step.started':
      return { type: e.type, ...ref(e), attempt: e.attempt, ...optional('quorum', e.quorum) };
    case 'step.retrying':
      return { type: e.type, ...ref(e), attempt: e.attempt, maxAttempts: e.maxAttempts, delayMs: e.delayMs, error: e.error };
    case 'step.succeeded':
      return { type: e.type, ...ref(e), attempt: e.attempt, durationMs: e.durationMs, outputs: e.outputs, secretOutputs: e.secretOutputs };
    case 'step.failed':
      return { type: e.type, ...ref(e), attempt: e.attempt, durationMs: e.durationMs, error: e.error, code: e.code, details: e.details, tolerated: e.tolerated };
    case 'step.skipped':
      return { type: e.type, ...ref(e), reason: e.reason, ...optional('detail', e.detail) };
    case 'gate.answered':
      return { type: e.type, gate: e.gate, question: e.question, answer: e.answer, by: e.by };
    case 'node.identified':
      return {
        type: e.type,
        node: e.node,
        via: e.via,
        endpoint: e.endpoint,
        hostname: e.hostname,
        ...optional('daemonId', e.daemonId),
        ...optional('nodeId', e.nodeId),
      };
    case 'run.finished':
      return { type: e.type, status: e.status, durationMs: e.durationMs, ...optional('error', e.error) };
    case 'step.log':
    case 'plan.ready':
      return undefined;
  }
}

export class JournalReporter implements Reporter {
  constructor(private readonly writer: RunJournal) {}

  get stats(): JournalStats {
    return this.writer.stats;
  }

  onEvent(event: RunEvent): void {
    const entry = toEntry(event);
    if (entry !== undefined) this.writer.append(entry);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
