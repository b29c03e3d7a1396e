/**
 * `runbook runs` and `runbook show`: the journal, read back for people.
 */
import type { JournalRecord } from '../journal/records.js';
import type { RunState } from '../journal/replay.js';
import type { RunHeader } from '../journal/run-store.js';
import { formatDuration as duration, identified } from './plain.js';

function elapsed(state: RunHeader): string {
  if (state.finishedAt === undefined) return '-';
  return duration(Date.parse(state.finishedAt) - Date.parse(state.startedAt));
}

/**
 * One line per run; a NOTE marks unfinished runs a later run on their cluster moved on from: resuming
 * one of them is refused unless forced.
 */
export function formatRuns(runs: readonly { readonly state: RunHeader; readonly supersededBy?: RunHeader }[]): string {
  if (runs.length === 0) return 'no runs yet\n';
  const anySuperseded = runs.some((r) => r.supersededBy !== undefined);
  const rows = runs.map(({ state: r, supersededBy: by }) => {
    const note = by === undefined ? '' : `superseded by ${by.runId} (${by.runbook})`;
    return [r.runId, r.runbook, r.status, r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), elapsed(r), note];
  });
  const head = ['RUN', 'RUNBOOK', 'STATUS', 'STARTED', 'DURATION', anySuperseded ? 'NOTE' : ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

function describe(record: JournalRecord): string {
  switch (record.type) {
    case 'run.started':
      return `${record.resumed ? 'resumed' : 'started'} ${record.runbook} (pid ${record.pid} on ${record.host})` +
        (Object.keys(record.inputs).length > 0 ? ` inputs ${JSON.stringify(record.inputs)}` : '') +
        (record.limit === undefined ? '' : ` --limit ${record.limit}`);
    case 'step.started':
      return `▶ ${record.instance} on ${record.target}${record.attempt > 1 ? ` (attempt ${record.attempt})` : ''}`;
    case 'step.retrying':
      return `↻ ${record.instance} retry ${record.attempt}/${record.maxAttempts} in ${record.delayMs}ms: ${record.error}`;
    case 'step.succeeded': {
      const outputs = Object.keys(record.outputs);
      return `✔ ${record.instance} ${duration(record.durationMs)}${outputs.length > 0 ? ` outputs: ${outputs.join(', ')}` : ''}`;
    }
    case 'step.failed':
      return `✖ ${record.instance}${record.tolerated ? ' (tolerated)' : ''}: ${record.error}`;
    case 'step.skipped':
      return `– ${record.instance} skipped (${record.reason})${record.detail === undefined ? '' : `: ${record.detail}`}`;
    case 'node.identified':
      return `◆ ${identified(record)}`;
    case 'gate.answered':
      return `? ${record.question} → ${record.answer ? 'yes' : 'no'} (${record.by})`;
    case 'run.finished':
      return `■ ${record.status} after ${duration(record.durationMs)}${record.error === undefined ? '' : `: ${record.error}`}`;
  }
}

export function formatTimeline(state: RunState, records: readonly JournalRecord[]): string {
  const out = [`run ${state.runId} — ${state.runbook} — ${state.status}`];
  for (const record of records) out.push(`${record.ts.slice(11, 23)}  ${describe(record)}`);
  return out.join('\n') + '\n';
}
