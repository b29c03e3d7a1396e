/**
 * The run-store contract, held by both adapters: the file store in a temporary state directory, and
 * PostgreSQL on a throw-away server started here. Then what only one of them has.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRunDir, FileRunStore } from '../../../engine/journal/file-store.js';
import { openRunStore } from '../../../engine/journal/open-store.js';
import { PostgresRunStore } from '../../../engine/journal/postgres/store.js';
import { newRunId, type LockHolder, type RunStore } from '../../../engine/journal/run-store.js';
import { laterRunsOn, supersededRuns } from '../../../engine/journal/superseded.js';
import { JournalReporter } from '../../../engine/runner/journal-reporter.js';
import type { RunEvent } from '../../../engine/runner/events.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { finished, runStarted, started, succeeded } from '../../unit/journal/events.js';

const root = resolve(import.meta.dirname, '../../..');
const key = { cluster: 'dccn', runbook: 'emergency-shutdown', scope: 'cluster' } as const;
const holder = (runId: string, runbook = 'emergency-shutdown'): LockHolder => ({ pid: process.pid, host: hostname(), startedAt: '2026-11-22T04:12:33.000Z', runId, runbook });

let server: PostgresServer;
let stateDir: string;
let database = 0;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => {
  server?.destroy();
});
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'runs-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(stateDir, { recursive: true, force: true });
});

/** A fresh database per test, so every test starts from an empty store (and migrates it). */
function freshDatabase(): string {
  database += 1;
  const name = `store_${database}`;
  server.sql(`CREATE DATABASE ${name}`);
  return server.url.replace(/\/runbook$/, `/${name}`);
}

type Make = (clock?: () => Date) => Promise<RunStore>;
const adapters: [string, Make][] = [
  ['file', async (now) => new FileRunStore(stateDir, now === undefined ? {} : { now })],
  ['postgres', async (now) => PostgresRunStore.open(freshDatabase(), stateDir, now === undefined ? {} : { now })],
];

/** Journals `events` as one run, each record stamped `at`. */
async function record(make: (now: () => Date) => Promise<RunStore>, runId: string, at: string, events: RunEvent[], reopen = false): Promise<void> {
  const store = await make(() => new Date(at));
  try {
    const w = new JournalReporter(reopen ? await store.reopen(runId) : await store.create(runId));
    for (const e of events) w.onEvent(e);
    await w.close();
  } finally {
    await store.close();
  }
}

describe.each(adapters)('the %s run store', (name, make) => {
  let url: string | undefined;
  // The same store across the calls of one test: for PostgreSQL the same database.
  const same = async (now?: () => Date): Promise<RunStore> => {
    if (name === 'file') return make(now);
    url ??= freshDatabase();
    return PostgresRunStore.open(url, stateDir, now === undefined ? {} : { now });
  };
  beforeEach(() => {
    url = undefined;
  });

  it('lists runs newest first, with their status', async () => {
    const store = await same();
    expect(await store.list()).toEqual([]);
    await record(same, 'r1', '2026-11-22T01:00:00.000Z', [runStarted({ runId: 'r1' }), started('a'), finished('failed')]);
    await record(same, 'r2', '2026-11-22T02:00:00.000Z', [runStarted({ runId: 'r2' }), started('a')]);
    await record(same, 'r3', '2026-11-22T03:00:00.000Z', [runStarted({ runId: 'r3' }), finished('succeeded')]);
    const runs = await store.list();
    expect(runs.map((r) => [r.runId, r.status, r.startedAt])).toEqual([
      ['r3', 'succeeded', '2026-11-22T03:00:00.000Z'],
      ['r2', 'running', '2026-11-22T02:00:00.000Z'],
      ['r1', 'failed', '2026-11-22T01:00:00.000Z'],
    ]);
    expect(runs[2]).toMatchObject({ runbook: 'label-node', cluster: 'dccn', finishedAt: '2026-11-22T01:00:00.000Z', readOnly: false });
    await store.close();
  });

  it('reads back every record in order, and a reopened journal goes on after the last one', async () => {
    await record(same, 'r1', '2026-11-22T01:00:00.000Z', [runStarted({ runId: 'r1' }), started('a'), succeeded('a', { out: 'x' }), started('b')]);
    await record(same, 'r1', '2026-11-22T02:00:00.000Z', [runStarted({ runId: 'r1', resumed: true }), succeeded('b'), finished('succeeded')], true);
    const store = await same();
    const { state, records, torn } = await store.read('r1');
    expect(torn).toBe(false);
    expect(records.map((r) => [r.seq, r.type])).toEqual([
      [1, 'run.started'], [2, 'step.started'], [3, 'step.succeeded'], [4, 'step.started'],
      [5, 'run.started'], [6, 'step.succeeded'], [7, 'run.finished'],
    ]);
    expect(state).toMatchObject({ status: 'succeeded', attemptsTotal: 2, records: 7, startedAt: '2026-11-22T01:00:00.000Z', lastRecordAt: '2026-11-22T02:00:00.000Z' });
    expect(state.instances.get('a')?.outputs).toEqual({ out: 'x' });
    const [listed] = await store.list();
    expect(listed).toMatchObject({ runId: 'r1', status: 'succeeded', finishedAt: '2026-11-22T02:00:00.000Z', lastRecordAt: '2026-11-22T02:00:00.000Z' });
    await store.close();
  });

  it('marks an unfinished run superseded by a later run that changed the same cluster, not by a read-only one', async () => {
    await record(same, 'shutdown', '2026-11-22T01:00:00.000Z', [runStarted({ runId: 'shutdown', runbook: 'emergency-shutdown', cluster: 'lab' }), started('a')]);
    await record(same, 'status', '2026-11-22T01:30:00.000Z', [runStarted({ runId: 'status', runbook: 'cluster-status', cluster: 'lab', readOnly: true }), finished('succeeded')]);
    await record(same, 'elsewhere', '2026-11-22T01:40:00.000Z', [runStarted({ runId: 'elsewhere', runbook: 'drain-node', cluster: 'other' }), finished('succeeded')]);
    const store = await same();
    expect(supersededRuns(await store.list()).size).toBe(0);
    await record(same, 'reboot', '2026-11-22T02:00:00.000Z', [runStarted({ runId: 'reboot', runbook: 'reboot-from-shutdown', cluster: 'lab' }), finished('succeeded')]);
    const runs = await store.list();
    expect([...supersededRuns(runs)].map(([id, by]) => [id, by.runId])).toEqual([['shutdown', 'reboot']]);
    const shutdown = runs.find((r) => r.runId === 'shutdown');
    expect(shutdown === undefined ? [] : laterRunsOn(shutdown, runs).map((r) => r.runbook)).toEqual(['reboot-from-shutdown']);
    await store.close();
  });

  it('says which run is missing and rejects path-like ids', async () => {
    const store = await same();
    await expect(store.read('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.read('../etc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.reopen('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.close();
  });

  it('gives each run a private directory on this host for the files its steps write', async () => {
    const store = await same();
    const dir = await store.runDir('r1');
    expect(dir).toBe(join(stateDir, 'runs', 'r1'));
    await store.close();
  });

  it('one mutating run per cluster: a second operator is refused naming the holder, another cluster is not; free after release', async () => {
    const a = await same();
    const b = await same();
    const lock = await a.lock(key, holder('run-1'));
    const refusal = b.lock({ ...key, runbook: 'drain-node' }, holder('run-2', 'drain-node'));
    await expect(refusal).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringContaining(`cluster "dccn" is busy: runbook "emergency-shutdown" holds its lock (one run that changes a cluster at a time): pid ${process.pid} on host ${hostname()} since 2026-11-22T04:12:33.000Z, run run-1`),
    });
    const other = await b.lock({ ...key, cluster: 'lab' }, holder('run-3'));
    lock.check();
    await lock.release();
    await lock.release();
    const again = await b.lock(key, holder('run-4'));
    await again.release();
    await other.release();
    await a.close();
    await b.close();
  });

  it('of several takers at the same moment exactly one wins', async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => same()));
    const results = await Promise.allSettled(stores.map((s, i) => s.lock(key, holder(`run-${i}`))));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(5).fill('LOCKED'));
    for (const r of won) await (r as PromiseFulfilledResult<Awaited<ReturnType<RunStore['lock']>>>).value.release();
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe('the file store only', () => {
  it('skips directories without a journal and reports a corrupt run instead of hiding the others', async () => {
    await record(async (now) => new FileRunStore(stateDir, { now }), 'good', '2026-11-22T01:00:00.000Z', [runStarted({ runId: 'good' })]);
    await mkdir(join(stateDir, 'runs', 'empty-dir'));
    await createRunDir(stateDir, 'no-records');
    await writeFile(join(stateDir, 'runs', 'no-records', 'journal.jsonl'), '');
    await createRunDir(stateDir, 'bad');
    await writeFile(join(stateDir, 'runs', 'bad', 'journal.jsonl'), 'x\n{"v":1}\n');
    const skipped: string[] = [];
    const runs = await new FileRunStore(stateDir).list({ onSkip: (id) => skipped.push(id) });
    expect(runs.map((r) => r.runId)).toEqual(['good']);
    expect(skipped).toEqual(['bad']);
  });

  it('makes sortable unique run ids', () => {
    const a = newRunId(new Date('2026-11-22T04:12:33.456Z'));
    const b = newRunId(new Date('2026-11-22T04:12:33.456Z'));
    expect(a).toMatch(/^20261122T041233Z-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(newRunId(new Date('2026-11-22T04:12:34Z')) > a).toBe(true);
  });
});

describe('the PostgreSQL store only', () => {
  it('makes its tables on first use, once, when several runners start at the same moment', async () => {
    const url = freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresRunStore.open(url, stateDir)));
    await Promise.all(stores.map((s) => s.close()));
    const db = url.split('/').at(-1) as string;
    const psql = (q: string): string => execIn(db, q);
    expect(psql('SELECT version FROM runbook.schema_version ORDER BY version')).toBe('1');
    expect(psql(`SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'runbook'`)).toBe('journal,locks,runs,schema_version');
  });

  it('refuses a database whose schema is newer than it knows, and writes nothing to it', async () => {
    const url = freshDatabase();
    await (await PostgresRunStore.open(url, stateDir)).close();
    const db = url.split('/').at(-1) as string;
    execIn(db, 'INSERT INTO runbook.schema_version (version) VALUES (99)');
    await expect(PostgresRunStore.open(url, stateDir)).rejects.toMatchObject({ code: 'STORE', message: expect.stringContaining('schema version 99, newer than this runbook release knows (1)') });
  });

  it('a wrong password, a wrong port or a bad URL is a STORE error that never shows the password', async () => {
    const wrong = server.url.replace(server.password, 'not-the-password-77');
    const attempts = [
      wrong,
      server.url.replace(`:${server.port}/`, ':1/'),
      'postgresql://runbook:hunter2-secret@127.0.0.1:notaport/runbook',
      server.url.replace(/\/runbook$/, '/'),
    ];
    for (const url of attempts) {
      const e = await openRunStore({ url, stateDir }).then(() => undefined, (x: unknown) => x as Error & { code?: string });
      expect(e?.code).toBe('STORE');
      expect(e?.message).not.toMatch(/not-the-password-77|hunter2-secret|pg-test-password/);
    }
    const e = await openRunStore({ url: wrong, stateDir }).catch((x: Error) => x);
    expect((e as Error).message).toContain(`postgresql://runbook@127.0.0.1:${server.port}/runbook`);
    expect((e as Error).message).toMatch(/password authentication failed/);
    await expect(openRunStore({ url: 'mysql://x@y/z', stateDir })).rejects.toMatchObject({ code: 'STORE' });
  });

  it('a lock whose database session is gone is free at once for the next taker, and lost for its holder', async () => {
    const url = freshDatabase();
    const db = url.split('/').at(-1) as string;
    // A holder in another process, killed with kill -9: the server ends its session and frees the lock.
    const child = spawn(process.execPath, ['--input-type=module', '-e', holdScript(url)], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    children.push(child);
    await new Promise<void>((ready, fail) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('READY') && ready());
      child.on('exit', (code) => fail(new Error(`holder exited ${code}`)));
    });
    const store = await PostgresRunStore.open(url, stateDir);
    await expect(store.lock(key, holder('mine'))).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`pid ${child.pid}`) });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    let lock: Awaited<ReturnType<RunStore['lock']>> | undefined;
    for (let i = 0; i < 50 && lock === undefined; i += 1) {
      lock = await store.lock(key, holder('mine')).catch(() => undefined);
      if (lock === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lock).toBeDefined();
    expect(execIn(db, `SELECT run_id FROM runbook.locks WHERE name = 'cluster--dccn'`)).toBe('mine');
    // Its session ended by the server (an administrator, a failover): the holder finds the lock lost.
    execIn(db, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'runbook lock cluster--dccn'`);
    let lostError: unknown;
    for (let i = 0; i < 50 && lostError === undefined; i += 1) {
      try {
        lock?.check();
        await new Promise((r) => setTimeout(r, 100));
      } catch (e) {
        lostError = e;
      }
    }
    expect(lostError).toMatchObject({ code: 'LOCK_LOST' });
    await lock?.release();
    await store.close();
  });
});

function execIn(db: string, query: string): string {
  return server.sql(query, db);
}

/** A separate node process that takes the PostgreSQL lock through the built store and holds it. */
function holdScript(url: string): string {
  return `import { hostname } from 'node:os';
import { PostgresRunStore } from ${JSON.stringify(join(root, 'dist/engine/journal/postgres/store.js'))};
const store = await PostgresRunStore.open(${JSON.stringify(url)}, '/tmp');
await store.lock({ cluster: 'dccn', runbook: 'emergency-shutdown', scope: 'cluster' }, { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), runId: 'child-run', runbook: 'emergency-shutdown' });
console.log('READY');
setInterval(() => {}, 1000);`;
}
