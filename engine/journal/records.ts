/**
 * The journal's on-disk form: one versioned record per line. The record types are written out here,
 * field by field, and the runner maps its events onto them in one place (`runner/journal-reporter.ts`):
 * a change to an event never silently changes the file format. Replay refuses a version it does not know.
 */
import { RunbookError } from '../errors.js';

/** The current record version; a reader refuses any other. */
export const JOURNAL_VERSION = 1;

/** Which step instance a record is about: `id`, `id[key]`, `id@node` or `id[key]@node`. */
export interface InstanceRef {
  readonly step: string;
  readonly instance: string;
  /** Node name, or `local`. */
  readonly target: string;
  /** foreach key, when the step has a foreach. */
  readonly key?: string;
}

/**
 * Who answered at the run's first contact with a node over one of its connections, before anything
 * changed there: later contacts, resumes included, must meet the same host. Journals written before
 * this record existed simply have none.
 */
export interface NodeIdentityEntry {
  readonly node: string;
  readonly via: 'docker' | 'ssh';
  /** `unix:///var/run/docker.sock`, `tcp://10.0.0.1:2375`, `ssh://root@10.0.0.2:22`. */
  readonly endpoint: string;
  /** The Engine's `Name`, or `uname -n` over SSH. */
  readonly hostname: string;
  /** The Engine's `ID`. */
  readonly daemonId?: string;
  /** The daemon's `Swarm.NodeID`, when it is in a swarm. */
  readonly nodeId?: string;
}

/** A record's content, version 1: what happened, without `v`, `seq` and `ts`. */
export type JournalEntry =
  | {
      readonly type: 'run.started';
      readonly runId: string;
      readonly runbook: string;
      readonly runbookFile: string;
      readonly runbookHash: string;
      readonly inventoryFile?: string;
      readonly inventoryHash?: string;
      readonly cluster?: string;
      /** Inputs without the secret ones. */
      readonly inputs: Readonly<Record<string, unknown>>;
      /** Names of the inputs marked secret: their values are never written. */
      readonly secretInputs: readonly string[];
      /** Names of the inputs the caller gave, never their values. */
      readonly givenInputs?: readonly string[];
      /** Every step only reads. */
      readonly readOnly?: boolean;
      /** `--limit` as given: the nodes the run may touch. */
      readonly limit?: string;
      readonly resumed: boolean;
      readonly pid: number;
      readonly host: string;
    }
  | ({
      readonly type: 'step.started';
      readonly attempt: number;
      /** The manager's vote the instance takes away: counted on resume until the swarm shows it. */
      readonly quorum?: { readonly node: string; readonly kind: 'stop' | 'restart' | 'demote' };
    } & InstanceRef)
  | ({ readonly type: 'step.retrying'; readonly attempt: number; readonly maxAttempts: number; readonly delayMs: number; readonly error: string } & InstanceRef)
  | ({
      readonly type: 'step.succeeded';
      readonly attempt: number;
      readonly durationMs: number;
      /** Outputs without the secret ones. */
      readonly outputs: Readonly<Record<string, unknown>>;
      readonly secretOutputs: readonly string[];
    } & InstanceRef)
  | ({
      readonly type: 'step.failed';
      readonly attempt: number;
      readonly durationMs: number;
      readonly error: string;
      readonly code: string;
      readonly details: readonly string[];
      readonly tolerated: boolean;
    } & InstanceRef)
  | ({ readonly type: 'step.skipped'; readonly reason: string; readonly detail?: string } & InstanceRef)
  | { readonly type: 'gate.answered'; readonly gate: string; readonly question: string; readonly answer: boolean; readonly by: 'tty' | 'flag' | 'resume' }
  | ({ readonly type: 'node.identified' } & NodeIdentityEntry)
  | { readonly type: 'run.finished'; readonly status: 'succeeded' | 'failed' | 'interrupted' | 'refused'; readonly durationMs: number; readonly error?: string };

/**
 * One line of `journal.jsonl`: an entry with its version, a sequence number that grows by one across the
 * whole run (resumes continue it) and the ISO time it was recorded.
 *
 * @example {"v":1,"seq":3,"ts":"2026-11-22T04:12:33.120Z","type":"step.started","step":"label",...}
 */
export type JournalRecord = { readonly v: 1; readonly seq: number; readonly ts: string } & JournalEntry;

const JOURNALED_TYPES: ReadonlySet<string> = new Set<JournalEntry['type']>([
  'run.started',
  'step.started',
  'step.retrying',
  'step.succeeded',
  'step.failed',
  'step.skipped',
  'gate.answered',
  'node.identified',
  'run.finished',
]);

/** Serialises one record as a journal line, newline included. */
export function formatRecord(seq: number, ts: string, entry: JournalEntry): string {
  return `${JSON.stringify({ v: JOURNAL_VERSION, seq, ts, ...entry })}\n`;
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

/** Checks one record read back from a store; `source` and `lineNo` place it in messages. */
export function asRecord(value: unknown, source: string, lineNo: number): JournalRecord {
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
