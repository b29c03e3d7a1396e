/**
 * Appends entries to `journal.jsonl` with group commit: entries are buffered synchronously and
 * `flush()` writes everything buffered with one fsync; callers arriving while an fsync runs share
 * the next one. The runner awaits `flush()` before any work that depends on an entry.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RunbookError, describeError } from '../errors.js';
import { formatRecord, parseJournal, type JournalEntry } from './records.js';

/** File name of the journal inside a run directory. */
export const JOURNAL_FILE = 'journal.jsonl';

/** Counters for benchmarks and tests. */
export interface JournalStats {
  records: number;
  fsyncs: number;
  fsyncMs: number;
}

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class JournalWriter {
  readonly stats: JournalStats = { records: 0, fsyncs: 0, fsyncMs: 0 };
  readonly path: string;
  private readonly file: FileHandle;
  private readonly now: () => Date;
  private seq: number;
  private durableSeq: number;
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private committing = false;
  private failure: RunbookError | undefined;
  private closed = false;

  private constructor(path: string, file: FileHandle, lastSeq: number, now: () => Date) {
    this.path = path;
    this.file = file;
    this.seq = lastSeq;
    this.durableSeq = lastSeq;
    this.now = now;
  }

  /**
   * Opens (or creates, mode 0600) `runDir/journal.jsonl` for appending. On resume the sequence
   * continues after the last record, and a torn last line is cut off first so the file stays
   * parseable.
   */
  static async open(runDir: string, options: { now?: () => Date } = {}): Promise<JournalWriter> {
    const path = join(runDir, JOURNAL_FILE);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const parsed = parseJournal(text, path);
    // Node opens files close-on-exec, so spawned commands never inherit the journal.
    const file = await open(path, 'a', 0o600);
    try {
      await file.chmod(0o600);
      if (parsed.torn) {
        await file.truncate(parsed.validBytes);
      }
      if (parsed.missingNewline) await file.appendFile('\n');
      if (parsed.torn || parsed.missingNewline) await file.sync();
    } catch (e) {
      await file.close();
      throw e;
    }
    const last = parsed.records.at(-1);
    return new JournalWriter(path, file, last?.seq ?? 0, options.now ?? (() => new Date()));
  }

  /** Buffers an entry; `flush()` makes it durable. */
  append(entry: JournalEntry): void {
    if (this.closed) throw new RunbookError('INTERNAL', `journal ${this.path} is closed; ${entry.type} was not recorded`);
    let line: string;
    try {
      line = formatRecord(this.seq + 1, this.now().toISOString(), entry);
    } catch (e) {
      throw new RunbookError('INTERNAL', `cannot record ${entry.type} in the journal: ${describeError(e)}`, { cause: e });
    }
    this.seq += 1;
    this.pending.push(line);
    this.stats.records += 1;
  }

  /** Resolves once every entry appended so far is on disk. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const target = this.seq;
    if (target <= this.durableSeq) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ seq: target, resolve, reject }));
    if (!this.committing) {
      this.committing = true;
      // Start on a later microtask so a burst of synchronous flush() calls shares one fsync.
      queueMicrotask(() => void this.commit());
    }
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.file.close();
    }
  }

  private async commit(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.join('');
        const upTo = this.seq;
        this.pending = [];
        await this.file.appendFile(batch, 'utf8');
        const started = performance.now();
        await this.file.sync();
        this.stats.fsyncMs += performance.now() - started;
        this.stats.fsyncs += 1;
        this.durableSeq = upTo;
        this.settle((w) => w.seq <= upTo, (w) => w.resolve());
      }
    } catch (e) {
      this.failure = new RunbookError('INTERNAL', `cannot write the journal ${this.path}: ${describeError(e)}`, { cause: e });
      const failure = this.failure;
      this.settle(() => true, (w) => w.reject(failure));
    } finally {
      this.committing = false;
    }
  }

  private settle(match: (w: Waiter) => boolean, act: (w: Waiter) => void): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (match(w)) act(w);
      else keep.push(w);
    }
    this.waiters = keep;
  }
}
