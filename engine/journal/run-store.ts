/**
 * The run store: where journals and the cluster lock live. The runner, resume, `runs` and `show` speak
 * only to this port; `file-store.ts` keeps them in a state directory (the default), `postgres/` in a
 * PostgreSQL database a team shares.
 */
import { randomBytes } from 'node:crypto';
import { RunbookError } from '../errors.js';
import type { JournalEntry, JournalRecord } from './records.js';
import type { RunState } from './replay.js';

export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A sortable, unique run id: UTC time to the second and 24 random bits, e.g. `20261122T041233Z-3f9a1c`. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new RunbookError('NOT_FOUND', `"${runId}" is not a run id; run ids look like 20261122T041233Z-3f9a1c`);
  }
}

/** Counters for benchmarks and tests. */
export interface JournalStats {
  records: number;
  /** Durable commits: fsyncs of the file, or transactions of the database. */
  fsyncs: number;
  fsyncMs: number;
}

/** One run's journal, open for appending. */
export interface RunJournal {
  readonly stats: JournalStats;
  /** Buffers an entry; `flush()` makes it durable. */
  append(entry: JournalEntry): void;
  /** Resolves once every entry appended so far is durable; rejects when the store failed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** What listing and choosing runs needs of each; a replayed `RunState` is one. */
export type RunHeader = Pick<
  RunState,
  'runId' | 'runbook' | 'cluster' | 'status' | 'startedAt' | 'finishedAt' | 'lastRecordAt' | 'readOnly'
>;

/** One run read back: its state and every record, in order. */
export interface StoredRun {
  readonly state: RunState;
  readonly records: readonly JournalRecord[];
  /** Its last record was cut short by a crash (file store only). */
  readonly torn: boolean;
}

/** Who holds a run lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the run started. */
  startedAt: string;
  runId: string;
  /** The runbook the holder runs. */
  runbook?: string;
  /** The holder's start time in clock ticks since boot (`/proc/PID/stat`): a reused pid is not the holder. */
  pidStart?: number;
}

/** What the lock is for: a whole cluster, or (runs without an inventory) one runbook. */
export interface LockKey {
  cluster: string;
  runbook: string;
  scope: 'cluster' | 'runbook';
}

export interface RunLock {
  /** Throws RunbookError('LOCK_LOST') when the lock is no longer held: no new step may start. */
  check(): void;
  /** Frees the lock; calling it again does nothing. */
  release(): Promise<void>;
}

export interface RunStore {
  /** Names the store in messages, never with a password: `file store /srv/.runbook`, `postgresql://ops@db:5432/runbook`. */
  readonly label: string;
  /**
   * The directory on this host for the files a run's steps write (service exports, fetched files):
   * `STATE_DIR/runs/RUN_ID`, created private (0700) if missing. The files stay on this host.
   */
  runDir(runId: string): Promise<string>;
  /** Starts the journal of a new run. */
  create(runId: string): Promise<RunJournal>;
  /** Opens an existing run's journal to append after its last record (resume). */
  reopen(runId: string): Promise<RunJournal>;
  /** Reads and replays one run; RunbookError('NOT_FOUND') when there is none. */
  read(runId: string): Promise<StoredRun>;
  /** Every run, newest first; a run that cannot be read is reported through `onSkip`. */
  list(options?: { onSkip?: (runId: string, error: Error) => void }): Promise<RunHeader[]>;
  /**
   * Takes the lock for `key` or throws RunbookError('LOCKED') naming the live holder. A lock lost while
   * held (removed, expired, its database session gone) makes `check()` throw.
   */
  lock(key: LockKey, holder: LockHolder): Promise<RunLock>;
  /**
   * Adds a run read from another store, with its records' own seq and time: the records this store
   * lacks are appended, so copying again changes nothing. Refused (RunbookError('INVALID')) when
   * both hold a record with the same seq that differs: two different runs under one id.
   */
  importRun(run: StoredRun): Promise<{ readonly added: number }>;
  close(): Promise<void>;
}

/** The first seq at which `have` and `incoming` disagree, or undefined when one is a prefix of the other. */
export function divergence(have: readonly JournalRecord[], incoming: readonly JournalRecord[]): number | undefined {
  const bySeq = new Map(incoming.map((r) => [r.seq, r]));
  for (const r of have) {
    const other = bySeq.get(r.seq);
    if (other !== undefined && (other.type !== r.type || other.ts !== r.ts)) return r.seq;
  }
  return undefined;
}

/** The lock of a cluster (or, without an inventory, of one runbook) as one name both stores use. */
export function lockName(key: LockKey): string {
  return key.scope === 'cluster' ? `cluster--${key.cluster}` : `${key.cluster}--${key.runbook}`;
}

/** The refusal when a lock is held: it names the holder's host, pid, run and runbook. */
export function describeBusy(key: LockKey, holder: LockHolder | undefined): string {
  const what =
    key.scope === 'cluster'
      ? `cluster "${key.cluster}" is busy: ${holder?.runbook === undefined ? 'another run' : `runbook "${holder.runbook}"`} holds its lock (one run that changes a cluster at a time)`
      : `runbook "${key.runbook}" is already running`;
  return holder === undefined ? what : `${what}: pid ${holder.pid} on host ${holder.host} since ${holder.startedAt}, run ${holder.runId}`;
}
