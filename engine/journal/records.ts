/**
 * The journal's on-disk form: one versioned record per line. Only what replay and `runbook show`
 * need is journaled; `step.log` (volume, possibly sensitive output) and `plan.ready` (derivable
 * from the runbook) are not.
 */
import { RunbookError } from '../errors.js';
import type { RunEvent } from '../runner/events.js';

/** The run events that are written to the journal. */
export type JournaledEvent = Exclude<RunEvent, { type: 'step.log' } | { type: 'plan.ready' }>;

/** The current record version; a reader refuses any other. */
export const JOURNAL_VERSION = 1;

/**
 * One line of `journal.jsonl`: a run event wrapped with its version, a sequence number that grows
 * by one across the whole run (resumes continue it) and the ISO time it was recorded.
 *
 * @example {"v":1,"seq":3,"ts":"2026-11-22T04:12:33.120Z","type":"step.started","step":"label",...}
 */
export type JournalRecord = { readonly v: 1; readonly seq: number; readonly ts: string } & JournaledEvent;

const JOURNALED_TYPES: ReadonlySet<string> = new Set<JournaledEvent['type']>([
  'run.started',
  'step.started',
  'step.retrying',
  'step.succeeded',
  'step.failed',
  'step.skipped',
  'gate.answered',
  'run.finished',
]);

export function isJournaled(e: RunEvent): e is JournaledEvent {
  return JOURNALED_TYPES.has(e.type);
}

/** Serialises one record as a journal line, newline included. */
export function formatRecord(seq: number, ts: string, event: JournaledEvent): string {
  return `${JSON.stringify({ v: JOURNAL_VERSION, seq, ts, ...event })}\n`;
}

/** The result of reading a journal's text. */
export interface ParsedJournal {
  readonly records: JournalRecord[];
  /** The last line was cut short (a crash mid-write) and was ignored. */
  readonly torn: boolean;
  /** Length in bytes of the well-formed prefix: where a writer resumes appending. */
  readonly validBytes: number;
  /** The well-formed prefix lacks its final newline (the last record was written without it). */
  readonly missingNewline: boolean;
}

/**
 * Parses `journal.jsonl`. A last line that is not valid JSON is a torn write and is ignored; any
 * other bad line means the file was damaged or edited, and replaying it would guess at state.
 *
 * @param source the file name used in error messages
 */
export function parseJournal(text: string, source = 'journal.jsonl'): ParsedJournal {
  const records: JournalRecord[] = [];
  let torn = false;
  let offset = 0;
  let validBytes = 0;
  let missingNewline = false;
  let lastSeq = 0;
  let lineNo = 0;
  while (offset < text.length) {
    lineNo += 1;
    const end = text.indexOf('\n', offset);
    const terminated = end !== -1;
    const line = text.slice(offset, terminated ? end : text.length);
    const next = terminated ? end + 1 : text.length;
    const isLast = next >= text.length;
    offset = next;
    if (line.trim() === '') {
      if (terminated) validBytes += Buffer.byteLength(line) + 1;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (isLast) {
        torn = true;
        break;
      }
      throw corrupt(source, lineNo, 'it is not valid JSON');
    }
    const record = asRecord(value, source, lineNo);
    if (record.seq <= lastSeq) {
      throw corrupt(source, lineNo, `its seq ${record.seq} does not follow ${lastSeq}`);
    }
    lastSeq = record.seq;
    records.push(record);
    validBytes += Buffer.byteLength(line) + (terminated ? 1 : 0);
    missingNewline = !terminated;
  }
  return { records, torn, validBytes, missingNewline };
}

function asRecord(value: unknown, source: string, lineNo: number): JournalRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(source, lineNo, 'it is not a JSON object');
  }
  const r = value as Record<string, unknown>;
  if (r['v'] !== JOURNAL_VERSION) {
    throw new RunbookError(
      'INTERNAL',
      `journal ${source}:${lineNo} has record version ${JSON.stringify(r['v'])}, but this runbook reads version ${JOURNAL_VERSION}; ` +
        'use the runbook release that wrote this run to show or resume it',
    );
  }
  if (typeof r['seq'] !== 'number' || !Number.isInteger(r['seq'])) throw corrupt(source, lineNo, 'it has no integer "seq"');
  if (typeof r['ts'] !== 'string') throw corrupt(source, lineNo, 'it has no "ts" time');
  if (typeof r['type'] !== 'string' || !JOURNALED_TYPES.has(r['type'])) {
    throw corrupt(source, lineNo, `its type ${JSON.stringify(r['type'])} is not a journal record type`);
  }
  return value as JournalRecord;
}

function corrupt(source: string, lineNo: number, why: string): RunbookError {
  return new RunbookError(
    'INTERNAL',
    `journal ${source}:${lineNo} is corrupt: ${why}; only a torn last line is tolerated, so the run cannot be replayed safely`,
  );
}
