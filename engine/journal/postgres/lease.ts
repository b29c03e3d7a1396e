/**
 * The cluster lock in PostgreSQL: a session-level advisory lock held on a connection of its own, and
 * a holder row in `runbook.locks` written by the same statement that takes it, so a refusal can name
 * the holder. The server frees the advisory lock when that connection ends, however the holder died:
 * at once for a killed process, within about 15 s for a host that vanished (TCP keepalives set on the
 * session). A heartbeat on the connection tells the holder that it lost the lock.
 */
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunbookError, describeError } from '../../errors.js';
import { describeBusy, lockName, type LockHolder, type LockKey, type RunLock } from '../run-store.js';

const HEARTBEAT_MS = 5_000;
/** A heartbeat unanswered for this long means the lock can no longer be counted on. */
const HEARTBEAT_TIMEOUT_MS = 10_000;
const HOLDER_WAIT_MS = 50;
const HOLDER_WAIT_TRIES = 20;

const TAKE = `
WITH got AS (SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok)
INSERT INTO runbook.locks (name, run_id, runbook, host, pid, started_at, backend_pid, taken_at)
SELECT $1, $2, $3, $4, $5, $6, pg_backend_pid(), now() FROM got WHERE got.ok
ON CONFLICT (name) DO UPDATE SET
  run_id = EXCLUDED.run_id, runbook = EXCLUDED.runbook, host = EXCLUDED.host, pid = EXCLUDED.pid,
  started_at = EXCLUDED.started_at, backend_pid = EXCLUDED.backend_pid, taken_at = EXCLUDED.taken_at
RETURNING name`;

/** The holder row, and whether its session still holds an advisory lock (else it is a leftover). */
const HOLDER = `
SELECT l.run_id, l.runbook, l.host, l.pid, l.started_at,
       EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted AND k.pid = l.backend_pid) AS live
FROM runbook.locks l WHERE l.name = $1`;

export async function takeLease(config: pg.ClientConfig, label: string, key: LockKey, holder: LockHolder): Promise<RunLock> {
  const name = lockName(key);
  const client = new pg.Client({ ...config, keepAlive: true, application_name: `runbook lock ${name}` });
  let lost: string | undefined;
  const lose = (why: string): void => {
    lost ??= why;
  };
  // An 'error' event without a listener would end the process; here it only means the lock is gone.
  client.on('error', (e) => lose(describeError(e)));
  client.on('end', () => lose('its database connection closed'));
  try {
    await client.connect();
    // The server drops the session, and with it the lock, about 15 s after this host stops answering.
    await client.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 5');
    for (let tries = 0; ; tries += 1) {
      const took = await client.query(TAKE, [name, holder.runId, holder.runbook ?? null, holder.host, holder.pid, holder.startedAt]);
      if (took.rowCount === 1) break;
      const row = (await client.query<{ run_id: string; runbook: string | null; host: string; pid: number; started_at: Date; live: boolean }>(HOLDER, [name])).rows[0];
      // A holder row that no live session backs is the previous holder's: the new one is writing its own.
      if ((row === undefined || !row.live) && tries < HOLDER_WAIT_TRIES) {
        await sleep(HOLDER_WAIT_MS);
        continue;
      }
      throw new RunbookError(
        'LOCKED',
        describeBusy(key, row === undefined ? undefined : {
          runId: row.run_id,
          ...(row.runbook === null ? {} : { runbook: row.runbook }),
          host: row.host,
          pid: row.pid,
          startedAt: row.started_at.toISOString(),
        }) + ` (lock ${name} in ${label})`,
      );
    }
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  let released = false;
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating || lost !== undefined) return;
    beating = true;
    const late = setTimeout(() => lose(`the database did not answer for ${HEARTBEAT_TIMEOUT_MS / 1000} s`), HEARTBEAT_TIMEOUT_MS);
    client
      .query('SELECT 1')
      .catch((e: unknown) => lose(describeError(e)))
      .finally(() => {
        clearTimeout(late);
        beating = false;
      });
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    check() {
      if (lost !== undefined && !released) {
        throw new RunbookError('LOCK_LOST', `the run lock ${name} in ${label} was lost while the run held it (${lost}); no further step was started`);
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      if (lost === undefined) {
        await client.query('DELETE FROM runbook.locks WHERE name = $1 AND backend_pid = pg_backend_pid()', [name]).catch(() => undefined);
      }
      // Ending the session frees the advisory lock.
      await client.end().catch(() => undefined);
    },
  };
}
