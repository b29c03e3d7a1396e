/**
 * Appends entries to a run directory's `journal.jsonl` with group commit: one append and one fsync
 * per batch. The runner awaits `flush()` before any work that depends on an entry.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { RunbookError, describeError } from '../errors.js';
import { GroupCommit } from './group-commit.js';
import { formatRecord, parseJournal, type JournalEntry } from './records.js';
import type { JournalStats, RunJournal } from './run-store.js';

/** File name of the journal inside a run directory. */
export const JOURNAL_FILE = 'journal.jsonl';

export class JournalWriter implements RunJournal {
  readonly path: string;
  private readonly file: FileHandle;
  private readonly now: () => Date;
  private readonly lines: GroupCommit<string>;
  private seq: number;
  private closed = false;

  private constructor(path: string, file: FileHandle, lastSeq: number, now: () => Date) {
    this.path = path;
    this.file = file;
    this.seq = lastSeq;
    this.now = now;
    this.lines = new GroupCommit(
      async (batch) => {
        await file.appendFile(batch.join(''), 'utf8');
        await file.sync();
      },
      (e) => new RunbookError('STORE_LOST', `cannot write the journal ${path}: ${describeError(e)}; no further step was started`, { cause: e }),
    );
  }

  get stats(): JournalStats {
    return this.lines.stats;
  }

  /**
   * Opens (or creates, mode 0600) `runDir/journal.jsonl` for appending. On resume the sequence
   * continues after the last record, and a torn last line is cut off first so the file stays
   * parseable.
   */
  static async open(runDir: string, options: { now?: () => Date } = {}): Promise<JournalWriter> {
    const path = join(runDir, JOURNAL_FILE);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const parsed = parseJournal(text ?? '', path);
    // Node opens files close-on-exec, so spawned commands never inherit the journal.
    const file = await open(path, 'a', 0o600);
    try {
      await file.chmod(0o600);
      // A new file's name is durable only once its directory is: else a crash could lose the whole journal.
      if (text === undefined) await syncDirectory(runDir);
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
    this.lines.push(line);
  }

  /** Resolves once every entry appended so far is on disk. */
  flush(): Promise<void> {
    return this.lines.flush();
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
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
