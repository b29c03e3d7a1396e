/**
 * The PostgreSQL run store against the file store, in one run: per-step overhead with each (the same
 * 2,000-step chain), replay of a 10,000-event run read from the database, and `runs` over 1,000 runs.
 * The server is a throw-away one on loopback (initdb and pg_ctl, as the tests make it), fsync on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRuns, listRuns, openRunStore, showRun, type RunStore } from '../engine/index.js';
import { startPostgres } from '../test/helpers/postgres-server.js';
import { generated, runChain } from './engine.js';

export async function benchRunStore(dir: string): Promise<Record<string, number>> {
  const server = await startPostgres();
  try {
    const file = join(dir, 'store-steps-2k.yaml');
    writeFileSync(file, generated(2_000, 'assert'));
    const pg = await openRunStore({ url: server.url, stateDir: join(dir, 'state-pg') });
    let figures: Record<string, number>;
    try {
      // Alternating, so that neither store gets the quieter half of the machine's time.
      const disk: number[] = [];
      const db: number[] = [];
      for (let round = 0; round < 2; round += 1) {
        disk.push((await runChain(join(dir, `state-file-${round}`), file)).medianUs);
        db.push((await runChain(pg, file)).medianUs);
      }
      const fileUs = Math.min(...disk);
      const pgUs = Math.min(...db);
      figures = {
        store_step_median_us_file_fsync: fileUs,
        store_step_median_us_postgres: pgUs,
        store_postgres_over_file: pgUs / fileUs,
        ...(await replayAndList(pg, dir)),
      };
    } finally {
      await pg.close();
    }
    return figures;
  } finally {
    server.destroy();
  }
}

/** Replay of a 4,999-step run (10,000 records) from the database, then `runs` with 1,000 runs there. */
async function replayAndList(pg: RunStore, dir: string): Promise<Record<string, number>> {
  const file = join(dir, 'store-steps-5k.yaml');
  writeFileSync(file, generated(4_999, 'assert'));
  const { runId } = await runChain(pg, file);
  const t0 = performance.now();
  const { state } = await showRun(pg, runId);
  const replayMs = performance.now() - t0;
  if (state.records !== 10_000) throw new Error(`bench: expected 10,000 records, got ${state.records}`);
  // 997 more short runs, made in a file store and copied in: 1,000 in all with the chain runs above.
  const small = join(dir, 'store-steps-3.yaml');
  writeFileSync(small, generated(3, 'assert'));
  const files = await openRunStore({ stateDir: join(dir, 'state-many') });
  for (let i = 0; i < 997; i += 1) await runChain(files, small);
  await copyRuns(files, pg);
  const t1 = performance.now();
  const runs = await listRuns(pg);
  const listMs = performance.now() - t1;
  if (runs.length !== 1_000) throw new Error(`bench: expected 1,000 runs, got ${runs.length}`);
  return { store_postgres_replay_10k_events_ms: replayMs, store_postgres_runs_list_1000_ms: listMs };
}
