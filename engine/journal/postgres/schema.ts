/**
 * The tables of the PostgreSQL store, in schema `runbook`, and the migrations that make them. They
 * are applied on first use, under a transaction-scoped advisory lock so that two runners starting at
 * once migrate once. A database newer than this release is refused rather than written to.
 */
import type { PoolClient } from 'pg';
import { RunbookError } from '../../errors.js';

/** Each entry moves the schema one version up; never edit one that has shipped, add the next. */
const MIGRATIONS: readonly string[] = [
  // 1: runs, their journals, and the holders of cluster locks.
  `CREATE TABLE runbook.runs (
     run_id         text PRIMARY KEY,
     runbook        text NOT NULL,
     cluster        text,
     status         text NOT NULL,
     read_only      boolean NOT NULL DEFAULT false,
     started_at     timestamptz NOT NULL,
     finished_at    timestamptz,
     last_record_at timestamptz NOT NULL,
     records        integer NOT NULL
   );
   CREATE INDEX runs_newest ON runbook.runs (started_at DESC, run_id DESC);
   CREATE TABLE runbook.journal (
     run_id  text NOT NULL REFERENCES runbook.runs (run_id) ON DELETE CASCADE,
     seq     integer NOT NULL,
     ts      timestamptz NOT NULL,
     type    text NOT NULL,
     record  jsonb NOT NULL,
     PRIMARY KEY (run_id, seq)
   );
   CREATE TABLE runbook.locks (
     name        text PRIMARY KEY,
     run_id      text NOT NULL,
     runbook     text,
     host        text NOT NULL,
     pid         integer NOT NULL,
     started_at  timestamptz NOT NULL,
     backend_pid integer NOT NULL,
     taken_at    timestamptz NOT NULL DEFAULT now()
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; returns the version it found. */
export async function migrate(client: PoolClient, label: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('runbook schema', 0))`);
    await client.query('CREATE SCHEMA IF NOT EXISTS runbook');
    await client.query('CREATE TABLE IF NOT EXISTS runbook.schema_version (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const found = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM runbook.schema_version')).rows[0]?.v ?? 0);
    if (found > SCHEMA_VERSION) {
      throw new RunbookError(
        'STORE',
        `the run store ${label} has schema version ${found}, newer than this runbook release knows (${SCHEMA_VERSION}); use a release at least as new as the one that wrote it`,
      );
    }
    for (let v = found + 1; v <= SCHEMA_VERSION; v += 1) {
      await client.query(MIGRATIONS[v - 1] as string);
      await client.query('INSERT INTO runbook.schema_version (version) VALUES ($1)', [v]);
    }
    await client.query('COMMIT');
    return found;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
