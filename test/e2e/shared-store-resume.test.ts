/**
 * Resume anywhere: a run started on host A against a real lab swarm, journaled in a real PostgreSQL
 * server, is killed with kill -9 mid-step. Host B — another hostname (its own UTS namespace), another
 * filesystem for its state (a private tmpfs in its own mount namespace) and another network (a lab
 * node's namespace) — lists the run from the database and resumes it with the same exactly-once rules.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsName } from '../../engine/lab/names.js';
import { BIN, runCli, workspace, type CliResult } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { LabApi } from '../integration/docker/lab-api.js';

let handle: LabHandle;
let api: LabApi;
let server: PostgresServer;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  handle = await withLab({ nodes: 2, managers: 1, swarm: true });
  api = new LabApi(handle.lab);
  dir = workspace({
    'relabel.yaml': `
name: relabel
inputs:
  marker: { type: string, required: true }
steps:
  - id: before
    action: docker.node.update
    on: manager
    with: { node: node2, labels: { stage: before } }
  - id: hold
    needs: [before]
    action: shell
    # The first time it waits to be killed; run again (allowed with --rerun) it ends at once.
    with: { command: "echo \${{ run.id }} >> \${{ inputs.marker }}; [ $(wc -l < \${{ inputs.marker }}) -gt 1 ] || sleep 30" }
  - id: after
    needs: [hold]
    action: docker.node.update
    on: manager
    with: { node: node2, labels: { stage: after, done: "yes" } }
`,
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
  server?.destroy();
}, 120_000);

/** `runbook` on host B: its own hostname, a tmpfs as its state directory, inside node2's network namespace. */
function onHostB(args: readonly string[], stateDir: string): Promise<CliResult> {
  const ns = `/var/run/netns/${netnsName(handle.lab.name, 'node2')}`;
  const script = 'hostname host-b && mount -t tmpfs -o mode=0700 tmpfs "$1" && shift && exec "$@"';
  return runCli(args, { cwd: dir, under: ['nsenter', `--net=${ns}`, 'unshare', '--uts', '--mount', '--propagation', 'private', '--fork', 'sh', '-c', script, 'host-b', stateDir] });
}

describe('a run killed on host A resumes on host B through PostgreSQL', () => {
  it('lists it on B, refuses to redo the cut-off step unless allowed, never redoes what finished, and finishes the work', async () => {
    const marker = join(dir, 'hold-started');
    const inventory = handle.lab.inventory;
    // Host A: this host. Killed with kill -9 while `hold` runs.
    const a = spawn(process.execPath, [BIN, 'run', 'relabel.yaml', '-i', inventory, '--state', server.url, '--state-dir', join(dir, 'state-a'), '--input', `marker=${marker}`, '--yes'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
      detached: true,
    });
    for (let i = 0; i < 300 && !existsSync(marker); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(marker)).toBe(true);
    process.kill(-(a.pid as number), 'SIGKILL');
    await new Promise((r) => a.once('exit', r));
    const runId = readFileSync(marker, 'utf8').trim();
    expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect((await api.node('node2'))?.Spec.Labels).toMatchObject({ stage: 'before' });

    // Host B sees the run, unfinished, in the shared store; its own state directory has nothing.
    const stateB = join(dir, 'state-b');
    mkdirSync(stateB);
    const listed = await onHostB(['runs', '--json', '--state', server.socketUrl, '--state-dir', stateB], stateB);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { runId: string; status: string })).toContainEqual(expect.objectContaining({ runId, status: 'running' }));

    // The cut-off step is not run again without a word, as on the host that started it.
    const refused = await onHostB(['resume', runId, '--state', server.socketUrl, '--state-dir', stateB, '--yes'], stateB);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('hold started but never finished');

    const resumed = await onHostB(['resume', runId, '--state', server.socketUrl, '--state-dir', stateB, '--yes', '--rerun', 'hold'], stateB);
    expect(resumed.stderr).toContain('before | done in an earlier attempt');
    expect(resumed.code).toBe(0);
    expect((await api.node('node2'))?.Spec.Labels).toMatchObject({ stage: 'after', done: 'yes' });
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual([runId, runId]);

    // The journal tells the story: started on A, resumed on B (refused, then allowed); each step succeeded once.
    const shown = await runCli(['show', runId, '--json', '--state', server.url], { cwd: dir });
    const records = shown.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: string; host?: string });
    expect(records.filter((r) => r.type === 'run.started').map((r) => r.host)).toEqual([hostname(), 'host-b', 'host-b']);
    expect(records.filter((r) => r.type === 'run.finished').map((r) => (r as { status?: string }).status)).toEqual(['refused', 'succeeded']);
    expect(records.filter((r) => r.type === 'step.succeeded').map((r) => r.step)).toEqual(['before', 'hold', 'after']);
    expect(records.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    // B's files went to its own tmpfs, gone with its mount namespace: A's state directory never saw them.
    expect(existsSync(join(dir, 'state-b', 'runs'))).toBe(false);
    expect(existsSync(join(dir, 'state-a', 'runs', runId))).toBe(true);
    expect(execFileSync('hostname', { encoding: 'utf8' }).trim()).toBe(hostname());
  }, 180_000);
});
