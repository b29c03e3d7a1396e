/**
 * The shared run store as operators use it: `--state URL` (or $RUNBOOK_STATE) on a real PostgreSQL
 * server started here. Secrets stay out of the database, a bad URL runs nothing, two operators are
 * held apart by the cluster lock, and a database that goes away mid-run stops the run resumably.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';

const SECRET = 'SWMTKN-1-pg-c4n4ry-secret';

let server: PostgresServer;
let dir: string;

const INVENTORY = 'cluster: shared\nnodes:\n  - { name: n1, address: 127.0.0.1, role: manager }\n';

beforeAll(async () => {
  server = await startPostgres();
  dir = workspace({
    'inventory.yaml': INVENTORY,
    'secretive.yaml': `
name: secretive
inputs:
  token: { type: string, secret: true, required: true }
steps:
  - id: echo
    action: shell
    with: { command: "echo the token is \${{ inputs.token }}" }
  - id: derive
    action: shell
    secret_outputs: [stdout]
    with: { command: "echo derived-\${{ inputs.token }}-value" }
`,
    'hold.yaml': `
name: hold
inputs:
  marker: { type: string, required: true }
steps:
  - id: first
    action: shell
    with: { command: "echo first >> \${{ inputs.marker }}" }
  - id: hold
    needs: [first]
    action: shell
    with: { command: "sleep 4; echo hold >> \${{ inputs.marker }}" }
  - id: last
    needs: [hold]
    action: shell
    with: { command: "echo last >> \${{ inputs.marker }}" }
`,
    'look.yaml': `
name: look
steps:
  - id: look
    action: assert
    with: { that: "\${{ true }}" }
`,
  });
}, 60_000);

afterAll(() => {
  server?.destroy();
});

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { cwd: dir, env });
}

/** Resolves once a running run (of `runbook`) has journaled `count` records of `type`. */
async function journaled(type: string, count = 1, runbook?: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const where = runbook === undefined ? '' : ` AND run_id IN (SELECT run_id FROM runbook.runs WHERE runbook = '${runbook}' AND status = 'running')`;
    // Until the run's store has migrated, the tables are not there yet.
    const n = Number(tryQuery(`SELECT count(*) FROM runbook.journal WHERE type = '${type}'${where}`) ?? 0);
    if (n >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${type} journaled in time`);
}

function tryQuery(query: string): string | undefined {
  try {
    return server.sql(query);
  } catch {
    return undefined;
  }
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

describe('the PostgreSQL run store from the command line', () => {
  it('journals a run there, lists and shows it, and keeps every secret out of the database', async () => {
    const r = await cli(['run', 'secretive.yaml', '--state', server.url, '--state-dir', 'local', '--input', `token=${SECRET}`, '--yes']);
    expect(r.stderr).not.toContain('c4n4ry');
    expect(r.code).toBe(0);
    const runs = await cli(['runs', '--json'], { RUNBOOK_STATE: server.url });
    const listed = runs.stdout.trim().split('\n').map((l) => JSON.parse(l) as { runId: string; runbook: string; status: string });
    expect(listed.find((l) => l.runbook === 'secretive')).toMatchObject({ status: 'succeeded' });
    const runId = listed.find((l) => l.runbook === 'secretive')?.runId as string;
    const shown = await cli(['show', runId, '--state', server.url]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('✔ derive');
    // The journal is in the database, not in the local state directory (which only holds the run's files).
    expect(existsSync(join(dir, 'local', 'runs', runId))).toBe(true);
    expect(existsSync(join(dir, 'local', 'runs', runId, 'journal.jsonl'))).toBe(false);
    const dump = server.dump();
    expect(dump).toContain(runId);
    expect(dump).toContain('derive');
    expect(dump).not.toContain('c4n4ry');
  });

  it('a wrong password or a bad URL exits 2 before anything runs, and never prints the password', async () => {
    const marker = join(dir, 'never-written');
    for (const url of [server.url.replace(server.password, 'wr0ng-pa55word'), 'postgresql://ops:s3cret-pw@127.0.0.1:notaport/runbook', 'redis://localhost/0']) {
      const r = await cli(['run', 'hold.yaml', '--state', url, '--input', `marker=${marker}`, '--yes']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/run store|--state takes/);
      expect(r.stderr).not.toMatch(/wr0ng-pa55word|s3cret-pw|pg-test-password/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(marker)).toBe(false);
    }
    const bad = await cli(['runs'], { RUNBOOK_STATE: server.url.replace(server.password, 'wr0ng-pa55word') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`postgresql://runbook@127.0.0.1:${server.port}/runbook`);
    expect(bad.stderr).toContain('password authentication failed');
  });

  it('a second mutating run on the cluster is refused with exit 3 naming the holder; a read-only one runs meanwhile', async () => {
    const marker = join(dir, 'lock-marker');
    const first = cli(['run', 'hold.yaml', '-i', 'inventory.yaml', '--state', server.url, '--input', `marker=${marker}`, '--yes']);
    await journaled('step.started', 2, 'hold');
    const second = await cli(['run', 'secretive.yaml', '-i', 'inventory.yaml', '--state', server.url, '--state-dir', 'other-operator', '--input', 'token=x', '--yes']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/cluster "shared" is busy: runbook "hold" holds its lock .*: pid \d+ on host \S+ since \S+, run \d{8}T\d{6}Z-[0-9a-f]{6}/);
    const look = await cli(['run', 'look.yaml', '-i', 'inventory.yaml', '--state', server.url, '--yes']);
    expect(look.code).toBe(0);
    expect((await first).code).toBe(0);
    expect(lines(marker)).toEqual(['first', 'hold', 'last']);
  }, 60_000);

  it('state copy moves a state directory\'s runs into PostgreSQL; copying again adds nothing; a copied run shows the same', async () => {
    const url = server.url.replace(/\/runbook$/, '/copied');
    server.sql('CREATE DATABASE copied');
    for (const token of ['a', 'b']) expect((await cli(['run', 'secretive.yaml', '--state-dir', 'files', '--input', `token=${token}`, '--yes'])).code).toBe(0);
    const failing = await cli(['run', 'hold.yaml', '--state-dir', 'files', '--input', 'marker=/nonexistent/dir/m', '--yes']);
    expect(failing.code).toBe(1);
    const first = await cli(['state', 'copy', '--from', 'files', '--to', url]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/3 runs in file store .*: 3 copied or brought up to date into postgresql:\/\/runbook@127\.0\.0\.1:\d+\/copied, 0 skipped/);
    expect(first.stderr).not.toContain(server.password);
    const again = await cli(['state', 'copy', '--from', 'files', '--to', url, '--json']);
    expect(again.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { added: number }).added)).toEqual([0, 0, 0]);
    const fromFiles = await cli(['runs', '--json', '--state-dir', 'files']);
    const fromDb = await cli(['runs', '--json', '--state', url]);
    expect(fromDb.stdout).toBe(fromFiles.stdout);
    const runId = (JSON.parse(fromFiles.stdout.split('\n')[0] as string) as { runId: string }).runId;
    const records = (r: CliResult): unknown[] => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(records(await cli(['show', runId, '--json', '--state', url]))).toEqual(records(await cli(['show', runId, '--json', '--state-dir', 'files'])));
    expect((JSON.parse(fromDb.stdout.split('\n')[0] as string) as { runbook: string; status: string })).toMatchObject({ runbook: 'hold', status: 'failed' });
    expect(server.sql('SELECT (SELECT count(*) FROM runbook.journal) = (SELECT sum(records) FROM runbook.runs)', 'copied')).toBe('t');
  });

  it('PostgreSQL stopped mid-run: the running step ends, no new step starts, exit 1 naming the store; resumable once it is back', async () => {
    const marker = join(dir, 'outage-marker');
    const run = cli(['run', 'hold.yaml', '-i', 'inventory.yaml', '--state', server.url, '--input', `marker=${marker}`, '--yes']);
    await journaled('step.started', 2, 'hold');
    const rows = server.sql(`SELECT count(*) FROM runbook.journal`);
    server.stop();
    let r: CliResult;
    try {
      r = await run;
    } finally {
      server.start();
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`postgresql://runbook@127.0.0.1:${server.port}/runbook`);
    expect(r.stderr).not.toContain(server.password);
    expect(r.stderr).toMatch(/continue it with: runbook resume \S+ --state postgresql:\/\/runbook@/);
    // `hold` ran to its end; `last` never started.
    expect(lines(marker)).toEqual(['first', 'hold']);
    expect(server.sql(`SELECT count(*) FROM runbook.journal`)).toBe(rows);
    const runId = /runbook resume (\S+)/.exec(r.stderr)?.[1] as string;
    expect(server.sql(`SELECT status FROM runbook.runs WHERE run_id = '${runId}'`)).toBe('running');
    // Back: `hold` is the step whose end was never recorded, so it runs again only when allowed.
    const refused = await cli(['resume', runId, '--state', server.url, '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('hold started but never finished');
    expect(lines(marker)).toEqual(['first', 'hold']);
    const resumed = await cli(['resume', runId, '--state', server.url, '--yes', '--rerun', 'hold']);
    expect(resumed.code).toBe(0);
    expect(lines(marker)).toEqual(['first', 'hold', 'hold', 'last']);
    expect(server.sql(`SELECT status FROM runbook.runs WHERE run_id = '${runId}'`)).toBe('succeeded');
  }, 90_000);
});
