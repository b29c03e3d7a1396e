/**
 * The PostgreSQL run store, for a team: every operator and CI runner that points `--state` at the
 * same database sees the same runs, resumes them, and is held off by the same cluster lock. The files a
 * run's steps write still go to the local state directory of the host that ran them.
 */
import pg from 'pg';
import { RunbookError, describeError, isRunbookError } from '../../errors.js';
import { createRunDir } from '../file-store.js';
import { asRecord, type JournalRecord } from '../records.js';
import { replay } from '../replay.js';
import { checkRunId, divergence, type LockHolder, type LockKey, type RunHeader, type RunJournal, type RunLock, type RunStore, type StoredRun } from '../run-store.js';
import { PostgresJournal, upsertRun } from './journal.js';
import { takeLease } from './lease.js';
import { parsePostgresUrl, withoutPassword, type PostgresLocation } from './location.js';
import { migrate } from './schema.js';

const quieted = new WeakSet<pg.PoolClient>();

interface RunRow {
  run_id: string;
  runbook: string;
  cluster: string | null;
  status: RunHeader['status'];
  read_only: boolean;
  started_at: Date;
  finished_at: Date | null;
  last_record_at: Date;
  records: number;
}

export class PostgresRunStore implements RunStore {
  readonly label: string;

  private constructor(
    private readonly location: PostgresLocation,
    private readonly config: pg.PoolConfig,
    private readonly pool: pg.Pool,
    private readonly stateDir: string,
    private readonly now: (() => Date) | undefined,
  ) {
    this.label = location.label;
  }

  /**
   * Connects, and migrates the schema on first use. Any failure (bad URL, refused credentials, no
   * server) is RunbookError('STORE') naming the store without its password: nothing has run yet.
   */
  static async open(url: string, stateDir: string, options: { now?: () => Date } = {}): Promise<PostgresRunStore> {
    const location = parsePostgresUrl(url);
    const config: pg.PoolConfig = { connectionString: url, connectionTimeoutMillis: 10_000, keepAlive: true, max: 4, application_name: 'runbook' };
    const pool = new pg.Pool(config);
    // An idle connection that breaks must not end the process; the next query reports it.
    pool.on('error', () => undefined);
    const client = await pool.connect().catch(async (e: unknown) => {
      await pool.end().catch(() => undefined);
      throw new RunbookError('STORE', `cannot open the run store ${location.label}: ${withoutPassword(describeError(e), location)}; nothing was run`);
    });
    try {
      await migrate(client, location.label);
    } catch (e) {
      client.release(true);
      await pool.end().catch(() => undefined);
      if (isRunbookError(e)) throw e;
      throw new RunbookError('STORE', `cannot prepare the run store ${location.label}: ${withoutPassword(describeError(e), location)}; nothing was run`);
    }
    client.release();
    return new PostgresRunStore(location, config, pool, stateDir, options.now);
  }

  runDir(runId: string): Promise<string> {
    return createRunDir(this.stateDir, runId);
  }

  async create(runId: string): Promise<RunJournal> {
    checkRunId(runId);
    const exists = await this.query('SELECT 1 FROM runbook.runs WHERE run_id = $1', [runId]);
    if (exists.rowCount !== 0) throw new RunbookError('INTERNAL', `run ${runId} already exists in ${this.label}`);
    return new PostgresJournal(await this.connect(), runId, undefined, 0, this.label, this.now);
  }

  async reopen(runId: string): Promise<RunJournal> {
    checkRunId(runId);
    const row = (await this.query<RunRow>('SELECT * FROM runbook.runs WHERE run_id = $1', [runId])).rows[0];
    if (row === undefined) throw this.notFound(runId);
    const last = (await this.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM runbook.journal WHERE run_id = $1', [runId])).rows[0]?.seq ?? 0;
    return new PostgresJournal(await this.connect(), runId, { ...header(row), records: row.records }, last, this.label, this.now);
  }

  async read(runId: string): Promise<StoredRun> {
    checkRunId(runId);
    const rows = (await this.query<{ record: unknown }>('SELECT record FROM runbook.journal WHERE run_id = $1 ORDER BY seq', [runId])).rows;
    if (rows.length === 0) throw this.notFound(runId);
    const source = `${this.label} run ${runId}`;
    const records: JournalRecord[] = rows.map((r, i) => asRecord(r.record, source, i + 1));
    return { state: replay(records), records, torn: false };
  }

  async list(): Promise<RunHeader[]> {
    const rows = (await this.query<RunRow>(
      'SELECT run_id, runbook, cluster, status, read_only, started_at, finished_at, last_record_at, records FROM runbook.runs ORDER BY started_at DESC, run_id DESC',
    )).rows;
    return rows.map(header);
  }

  lock(key: LockKey, holder: LockHolder): Promise<RunLock> {
    return takeLease(this.config, this.label, key, holder).catch((e: unknown) => {
      throw isRunbookError(e) ? e : this.failure('cannot take the cluster lock in', e);
    });
  }

  async importRun(run: StoredRun): Promise<{ readonly added: number }> {
    const runId = run.state.runId;
    checkRunId(runId);
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      // One importer per run at a time: two copies at once add each record once.
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('runbook import ' || $1, 0))`, [runId]);
      const have = (await client.query<{ record: unknown }>('SELECT record FROM runbook.journal WHERE run_id = $1 ORDER BY seq', [runId])).rows.map((r, i) =>
        asRecord(r.record, `${this.label} run ${runId}`, i + 1),
      );
      const differs = divergence(have, run.records);
      if (differs !== undefined) throw new RunbookError('INVALID', `run ${runId} in ${this.label} differs from the one copied at seq ${differs}; it was left as it is`);
      const last = have.at(-1)?.seq ?? 0;
      const missing = run.records.filter((r) => r.seq > last);
      if (missing.length > 0) await upsertRun(client, run.state, run.records.length, missing);
      await client.query('COMMIT');
      return { added: missing.length };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw isRunbookError(e) ? e : this.failure('cannot write to', e);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      const client = await this.pool.connect();
      // Errors of a checked-out client come back through its queries; a pooled client is given this once.
      if (!quieted.has(client)) {
        quieted.add(client);
        client.on('error', () => undefined);
      }
      return client;
    } catch (e) {
      throw this.failure('cannot reach', e);
    }
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw this.failure('cannot read', e);
    }
  }

  private failure(what: string, e: unknown): RunbookError {
    return new RunbookError('STORE_LOST', `${what} the run store ${this.label}: ${withoutPassword(describeError(e), this.location)}`, { cause: e });
  }

  private notFound(runId: string): RunbookError {
    return new RunbookError('NOT_FOUND', `no run "${runId}" in ${this.label}; \`runbook runs --state URL\` lists the runs`);
  }
}

function header(row: RunRow): RunHeader {
  return {
    runId: row.run_id,
    runbook: row.runbook,
    ...(row.cluster === null ? {} : { cluster: row.cluster }),
    status: row.status,
    startedAt: row.started_at.toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at.toISOString() }),
    lastRecordAt: row.last_record_at.toISOString(),
    readOnly: row.read_only,
  };
}
