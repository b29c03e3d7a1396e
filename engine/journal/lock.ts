/**
 * One mutating run at a time per cluster (without an inventory: per runbook). proper-lockfile's lock is a directory created with
 * mkdir (atomic, also on NFS) whose mtime the holder keeps fresh; the holder's identity is written
 * as JSON beside it so a refusal can say who holds the lock and a dead holder on this host can be
 * recognised at once instead of after the staleness timeout.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunbookError, describeError } from '../errors.js';
import { onFirstUse } from '../on-first-use.js';
import { describeBusy, lockName, type LockHolder, type LockKey, type RunLock } from './run-store.js';

export interface LockOptions {
  /**
   * After how long without an mtime refresh a lock counts as abandoned (a holder on another host
   * that died). Default 30 s; proper-lockfile refreshes every half of it.
   */
  staleMs?: number;
  /** Told once when the lock was lost while held (removed by hand, taken over, or not refreshed in time). */
  onLost?: (error: Error) => void;
}

const lockfile = onFirstUse<typeof import('proper-lockfile')>('proper-lockfile');

const HOLDER_WAIT_MS = 50;
const HOLDER_WAIT_TRIES = 20;

/** Takes the lock for `key` or throws RunbookError('LOCKED') naming the live holder. */
export async function acquireRunLock(
  stateDir: string,
  key: LockKey,
  holder: LockHolder,
  options: LockOptions = {},
): Promise<RunLock> {
  const dir = join(stateDir, 'locks');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const base = join(dir, fileSafe(lockName(key)));
  const lockPath = `${base}.lock`;
  const holderPath = `${base}.holder.json`;
  const staleMs = options.staleMs ?? 30_000;
  const lost = new LostLock(lockPath, options.onLost);
  const onCompromised = (e: Error): void => lost.lose(e.message);

  const me: LockHolder = { ...holder, ...(holder.pid === process.pid ? startOf(process.pid) : {}) };
  // Written before the lock is taken: a process killed between taking it and naming itself leaves this
  // candidate, which tells the next one whose lock it is.
  const candidatePath = `${base}.candidate-${me.pid}-${randomBytes(3).toString('hex')}.json`;
  await writeHolder(candidatePath, me);
  try {
    for (let tries = 0; ; tries += 1) {
      let release: () => Promise<void>;
      try {
        release = await lockfile().lock(base, { realpath: false, lockfilePath: lockPath, stale: staleMs, retries: 0, onCompromised });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') {
          throw new RunbookError('INTERNAL', `cannot take the run lock ${lockPath}: ${describeError(e)}`, { cause: e });
        }
        const current = await readHolder(holderPath);
        if (current !== undefined && isDeadHere(current.holder)) {
          await takeOver(holderPath, lockPath, current.text);
          continue;
        }
        if (current === undefined) {
          // Between another run's mkdir and its holder record the record is briefly missing; when every
          // other candidate on this host is dead, the lock's taker died in that moment.
          if (await onlyDeadCandidates(base, candidatePath)) {
            await rmdir(lockPath).catch(ignoreMissing);
            continue;
          }
          if (tries < HOLDER_WAIT_TRIES) {
            await sleep(HOLDER_WAIT_MS);
            continue;
          }
        }
        throw lockedError(key, lockPath, current?.holder);
      }
      const mine = await readFile(candidatePath, 'utf8');
      try {
        await rename(candidatePath, holderPath);
      } catch (e) {
        await release().catch(() => undefined);
        throw new RunbookError('INTERNAL', `cannot record the run lock holder in ${holderPath}: ${describeError(e)}`, { cause: e });
      }
      return held(lockPath, holderPath, mine, lost, release);
    }
  } finally {
    await unlink(candidatePath).catch(ignoreMissing);
  }
}

/** True when every candidate record beside the lock but `mine` is of a process of this host that is gone. */
async function onlyDeadCandidates(base: string, mine: string): Promise<boolean> {
  const prefix = `${basename(base)}.candidate-`;
  const names = (await readdir(dirname(base))).filter((n) => n.startsWith(prefix) && join(dirname(base), n) !== mine);
  for (const name of names) {
    const found = await readHolder(join(dirname(base), name));
    if (found === undefined || !isDeadHere(found.holder)) return false;
  }
  for (const name of names) await unlink(join(dirname(base), name)).catch(ignoreMissing);
  return true;
}

/** A process's start time from `/proc/PID/stat` (field 22), when this system has one. */
function startOf(pid: number): { pidStart?: number } {
  const stat = procStat(pid);
  return stat === undefined ? {} : { pidStart: stat.start };
}

function procStat(pid: number): { state: string; start: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** Remembers that the lock was lost, and says so once. */
class LostLock {
  reason: string | undefined;
  constructor(
    private readonly lockPath: string,
    private readonly onLost: ((error: Error) => void) | undefined,
  ) {}

  lose(why: string): void {
    if (this.reason !== undefined) return;
    this.reason = why;
    this.onLost?.(this.error());
  }

  error(): RunbookError {
    return new RunbookError('LOCK_LOST', `the run lock ${this.lockPath} was lost while the run held it (${this.reason ?? 'unknown'}); no further step was started`);
  }
}

/**
 * The lock as held: `check()` before each step looks that the lock directory is still there and the
 * holder record still names this run (a cheap stat and read), so a lock removed by hand or taken over
 * stops the run at once rather than at the next mtime refresh.
 */
function held(lockPath: string, holderPath: string, mine: string, lost: LostLock, release: () => Promise<void>): RunLock {
  let done: Promise<void> | undefined;
  return {
    check() {
      if (done === undefined && lost.reason === undefined) {
        try {
          statSync(lockPath);
          if (readFileSync(holderPath, 'utf8') !== mine) lost.lose('its holder record now names another run');
        } catch (e) {
          lost.lose(`${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it was removed' : describeError(e)}`);
        }
      }
      if (lost.reason !== undefined) throw lost.error();
    },
    release() {
      done ??= (async () => {
        // The holder goes first: removing it after the lock could delete the next holder's record.
        if (lost.reason === undefined) await unlink(holderPath).catch(ignoreMissing);
        await release().catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ERELEASED' && e.code !== 'ENOTACQUIRED' && e.code !== 'ECOMPROMISED') throw e;
        });
      })();
      return done;
    },
  };
}

/**
 * Removes a dead holder's lock. Renaming its record is the claim: of several processes doing this
 * at once only one rename finds the file, and a record that changed since it was judged dead (a
 * new holder) is put back.
 */
async function takeOver(holderPath: string, lockPath: string, deadText: string): Promise<void> {
  const claim = `${holderPath}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    await rename(holderPath, claim);
  } catch (e) {
    ignoreMissing(e);
    return;
  }
  const claimed = await readFile(claim, 'utf8').catch(() => undefined);
  if (claimed !== deadText) {
    await rename(claim, holderPath).catch(ignoreMissing);
    return;
  }
  await rmdir(lockPath).catch(ignoreMissing);
  await unlink(claim).catch(ignoreMissing);
}

/**
 * A holder on this host is dead when its pid is gone, is a zombie (killed, not yet reaped: a container
 * whose PID 1 does not reap keeps it so), or now belongs to a process started at another time.
 */
function isDeadHere(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    // EPERM: the pid exists but belongs to someone else, so it is alive.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const stat = procStat(holder.pid);
  if (stat === undefined) return false;
  return stat.state === 'Z' || (holder.pidStart !== undefined && stat.start !== holder.pidStart);
}

async function readHolder(path: string): Promise<{ holder: LockHolder; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    ignoreMissing(e);
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      holder: {
        pid: value.pid,
        host: value.host,
        startedAt: String(value.startedAt ?? '?'),
        runId: String(value.runId ?? '?'),
        ...(typeof value.runbook === 'string' ? { runbook: value.runbook } : {}),
        ...(typeof value.pidStart === 'number' ? { pidStart: value.pidStart } : {}),
      },
      text,
    };
  } catch {
    return undefined;
  }
}

async function writeHolder(path: string, holder: LockHolder): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

function lockedError(key: LockKey, lockPath: string, holder: LockHolder | undefined): RunbookError {
  if (holder === undefined) {
    return new RunbookError(
      'LOCKED',
      `${describeBusy(key, undefined)}: the lock ${lockPath} is held by a process that left no holder record; ` +
        'it is taken over once it goes stale, or remove it if you are sure no run is active',
    );
  }
  return new RunbookError('LOCKED', describeBusy(key, holder));
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
