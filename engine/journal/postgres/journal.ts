/**
 * One run's journal in PostgreSQL: a row per record in `runbook.journal`, and the run's summary row in
 * `runbook.runs` kept in step, both written by one statement per group commit on a connection of
 * its own. A commit is durable when PostgreSQL says so (synchronous_commit), as an fsync is for files.
 */
import type { PoolClient } from 'pg';
import type { JournalRecord } from '../records.js';
import { RunbookError, describeError } from '../../errors.js';
import { GroupCommit } from '../group-commit.js';
import { JOURNAL_VERSION, type JournalEntry } from '../records.js';
import type { JournalStats, RunHeader, RunJournal } from '../run-store.js';

interface Row {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly record: string;
}

type Header = { -readonly [K in keyof RunHeader]: RunHeader[K] } & { records: number };

const COMMIT = `
WITH run AS (
  INSERT INTO runbook.runs (run_id, runbook, cluster, status, read_only, started_at, finished_at, last_record_at, records)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (run_id) DO UPDATE SET
    runbook = EXCLUDED.runbook, cluster = EXCLUDED.cluster, status = EXCLUDED.status, read_only = EXCLUDED.read_only,
    finished_at = EXCLUDED.finished_at, last_record_at = EXCLUDED.last_record_at, records = EXCLUDED.records
  RETURNING run_id
)
INSERT INTO runbook.journal (run_id, seq, ts, type, record)
SELECT run.run_id, u.seq, u.ts, u.type, u.record
FROM run, unnest($10::integer[], $11::timestamptz[], $12::text[], $13::jsonb[]) AS u (seq, ts, type, record)`;

export class PostgresJournal implements RunJournal {
  private readonly rows: GroupCommit<Row>;
  private closed = false;

  /**
   * @param header the run's summary so far (undefined for a new run), kept current from each entry
   * @param lastSeq the last record's seq: appending goes on after it
   */
  constructor(
    private readonly client: PoolClient,
    private readonly runId: string,
    private header: Header | undefined,
    private seq: number,
    storeLabel: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.rows = new GroupCommit(
      (batch) => this.commit(batch),
      (e) =>
        new RunbookError(
          'STORE_LOST',
          `the run store ${storeLabel} failed: ${describeError(e)}; no further step was started. Once it is back: runbook resume ${runId} --state ${storeLabel}`,
          { cause: e },
        ),
    );
  }

  get stats(): JournalStats {
    return this.rows.stats;
  }

  append(entry: JournalEntry): void {
    if (this.closed) throw new RunbookError('INTERNAL', `the journal of run ${this.runId} is closed; ${entry.type} was not recorded`);
    const ts = this.now().toISOString();
    this.seq += 1;
    let record: string;
    try {
      record = JSON.stringify({ v: JOURNAL_VERSION, seq: this.seq, ts, ...entry });
    } catch (e) {
      throw new RunbookError('INTERNAL', `cannot record ${entry.type} in the journal: ${describeError(e)}`, { cause: e });
    }
    this.header = nextHeader(this.header, this.runId, ts, this.seq, entry);
    this.rows.push({ seq: this.seq, ts, type: entry.type, record });
  }

  flush(): Promise<void> {
    return this.rows.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      // A connection that failed is not given back for reuse.
      this.client.release(this.rows.failed);
    }
  }

  private async commit(batch: readonly Row[]): Promise<void> {
    const h = this.header;
    if (h === undefined) throw new RunbookError('INTERNAL', `run ${this.runId}: the journal must begin with run.started`);
    await write(this.client, h, h.records, batch);
  }
}

function write(client: PoolClient, h: RunHeader, records: number, batch: readonly Row[]): Promise<unknown> {
  return client.query(COMMIT, [
    h.runId, h.runbook, h.cluster ?? null, h.status, h.readOnly, h.startedAt, h.finishedAt ?? null, h.lastRecordAt, records,
    batch.map((r) => r.seq), batch.map((r) => r.ts), batch.map((r) => r.type), batch.map((r) => r.record),
  ]);
}

/** Writes records copied from another store, as they are, and the run's summary row. */
export async function upsertRun(client: PoolClient, state: RunHeader, records: number, missing: readonly JournalRecord[]): Promise<void> {
  await write(client, state, records, missing.map((r) => ({ seq: r.seq, ts: r.ts, type: r.type, record: JSON.stringify(r) })));
}

/** The summary after one more entry, as replay would give it. */
function nextHeader(h: Header | undefined, runId: string, ts: string, seq: number, entry: JournalEntry): Header {
  if (h === undefined) {
    if (entry.type !== 'run.started') throw new RunbookError('INTERNAL', `run ${runId}: the journal must begin with run.started, not ${entry.type}`);
    return {
      runId,
      runbook: entry.runbook,
      ...(entry.cluster === undefined ? {} : { cluster: entry.cluster }),
      status: 'running',
      startedAt: ts,
      lastRecordAt: ts,
      readOnly: entry.readOnly === true,
      records: seq,
    };
  }
  const next: Header = { ...h, lastRecordAt: ts, records: seq };
  if (entry.type === 'run.started') {
    next.status = 'running';
    delete next.finishedAt;
    if (entry.cluster === undefined) delete next.cluster;
    else next.cluster = entry.cluster;
  } else if (entry.type === 'run.finished') {
    next.status = entry.status;
    next.finishedAt = ts;
  }
  return next;
}
