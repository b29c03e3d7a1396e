/**
 * The embedded run store: one directory per run under `STATE_DIR/runs/`, each holding its journal
 * (`journal.jsonl`, fsynced per commit), and lock directories under `STATE_DIR/locks/`. Nothing to
 * install; correct on one host and on NFS.
 */
import { appendFile, chmod, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RunbookError, isRunbookError } from '../errors.js';
import { acquireRunLock } from './lock.js';
import { JOURNAL_VERSION, parseJournal, type JournalRecord } from './records.js';
import { replay } from './replay.js';
import { checkRunId, divergence, RUN_ID, type LockHolder, type LockKey, type RunHeader, type RunJournal, type RunLock, type RunStore, type StoredRun } from './run-store.js';
import { JOURNAL_FILE, JournalWriter } from './writer.js';

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}

/**
 * Creates `stateDir/runs/runId/`, private to the user (0700) like the directories above it that it
 * creates: where a run's journal is, and the files its steps write, whichever store holds the journal.
 */
export async function createRunDir(stateDir: string, runId: string): Promise<string> {
  checkRunId(runId);
  const dir = join(runsDir(stateDir), runId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to directories it creates; a reused run directory is tightened too.
  await chmod(dir, 0o700);
  return dir;
}

export class FileRunStore implements RunStore {
  readonly label: string;

  constructor(
    readonly stateDir: string,
    /** `staleMs`: see the file lock; `now`: the journal's clock (tests). */
    private readonly options: { staleMs?: number; now?: () => Date } = {},
  ) {
    this.label = `file store ${stateDir}`;
  }

  runDir(runId: string): Promise<string> {
    return createRunDir(this.stateDir, runId);
  }

  async create(runId: string): Promise<RunJournal> {
    return JournalWriter.open(await createRunDir(this.stateDir, runId), this.clock());
  }

  async reopen(runId: string): Promise<RunJournal> {
    await this.read(runId);
    return JournalWriter.open(await createRunDir(this.stateDir, runId), this.clock());
  }

  private clock(): { now?: () => Date } {
    return this.options.now === undefined ? {} : { now: this.options.now };
  }

  async read(runId: string): Promise<StoredRun> {
    checkRunId(runId);
    const path = join(runsDir(this.stateDir), runId, JOURNAL_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RunbookError('NOT_FOUND', `no run "${runId}" in ${runsDir(this.stateDir)}; \`runbook runs\` lists the runs`);
      }
      throw e;
    }
    const { records, torn } = parseJournal(text, path);
    if (records.length === 0) {
      throw new RunbookError('NOT_FOUND', `run "${runId}" recorded nothing (its journal ${path} is empty)`);
    }
    return { state: replay(records), records, torn };
  }

  /** Directories without a journal, or with an empty one, are skipped; an unreadable journal goes to `onSkip`. */
  async list(options: { onSkip?: (runId: string, error: Error) => void } = {}): Promise<RunHeader[]> {
    let names: string[];
    try {
      names = (await readdir(runsDir(this.stateDir), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const runs: RunHeader[] = [];
    for (const name of names) {
      if (!RUN_ID.test(name)) continue;
      try {
        runs.push((await this.read(name)).state);
      } catch (e) {
        if (isRunbookError(e) && e.code === 'NOT_FOUND') continue;
        if (isRunbookError(e)) {
          options.onSkip?.(name, e);
          continue;
        }
        throw e;
      }
    }
    return runs.sort(newestFirst);
  }

  lock(key: LockKey, holder: LockHolder): Promise<RunLock> {
    return acquireRunLock(this.stateDir, key, holder, { ...(this.options.staleMs === undefined ? {} : { staleMs: this.options.staleMs }) });
  }

  async importRun(run: StoredRun): Promise<{ readonly added: number }> {
    const runId = run.state.runId;
    let have: readonly JournalRecord[] = [];
    try {
      have = (await this.read(runId)).records;
    } catch (e) {
      if (!(isRunbookError(e) && e.code === 'NOT_FOUND')) throw e;
    }
    const differs = divergence(have, run.records);
    if (differs !== undefined) throw new RunbookError('INVALID', `run ${runId} in ${this.label} differs from the one copied at seq ${differs}; it was left as it is`);
    const last = have.at(-1)?.seq ?? 0;
    const missing = run.records.filter((r) => r.seq > last);
    if (missing.length === 0) return { added: 0 };
    const dir = await createRunDir(this.stateDir, runId);
    // Opening with the writer first makes the file (0600) and syncs its directory, as for a run.
    await (await JournalWriter.open(dir)).close();
    await appendFile(join(dir, JOURNAL_FILE), missing.map((r) => `${JSON.stringify({ ...r, v: JOURNAL_VERSION })}\n`).join(''));
    return { added: missing.length };
  }

  async close(): Promise<void> {}
}

/** Newest first by start time, then by id. */
export function newestFirst(a: RunHeader, b: RunHeader): number {
  return compare(b.startedAt, a.startedAt) || compare(b.runId, a.runId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
