/**
 * Two resumes of one run, the second deciding from a journal it read before the first went on: once it
 * holds the lock it must find the run changed and do nothing, or a step would run twice. Against both
 * stores: a state directory, and a real PostgreSQL server.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionDescriptors, closePorts, loadRunbook, openRunStore, resume, run, systemPorts, type RunStore } from '../../../engine/index.js';
import { executeRun } from '../../../engine/runner/run.js';
import { workspace } from '../../helpers/cli.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.destroy());

const stores: [string, (dir: string) => Promise<RunStore>][] = [
  ['file', (dir) => openRunStore({ stateDir: join(dir, 'state') })],
  ['postgres', (dir) => openRunStore({ url: server.url, stateDir: join(dir, 'state') })],
];

describe.each(stores)('a resume that lost the race (%s store)', (_, open) => {
  it('is refused once it holds the lock, and nothing runs twice', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'twice.yaml'),
      `name: twice
steps:
  - id: a
    action: shell
    with: { command: "echo a >> ${dir}/marker" }
  - id: b
    needs: [a]
    action: shell
    with: { command: "test -f ${dir}/ok && echo b >> ${dir}/marker" }
`,
    );
    const runbook = loadRunbook(join(dir, 'twice.yaml')).value;
    if (runbook === undefined) throw new Error('invalid');
    const store = await open(dir);
    const ports = systemPorts(process.stdin, process.stderr);
    const env = {};
    try {
      const first = await run({ runbook, inputs: {}, store, ports, yes: true, env });
      expect(first.status).toBe('failed');
      // The second resume's view, read now.
      const stale = (await store.read(first.runId)).state;
      writeFileSync(join(dir, 'ok'), '');
      const winner = await resume({ store, runId: first.runId, ports, yes: true, env, actions: actionDescriptors });
      expect(winner.type === 'resumed' && winner.outcome.status).toBe('succeeded');
      await expect(executeRun({ runbook, inputs: {}, store, ports, yes: true, env, reporters: [], signal: new AbortController().signal, resume: { state: stale, rerun: [] } }))
        .rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`run ${first.runId} went on elsewhere while this resume was starting`) });
      expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('a\nb\n');
      expect((await store.read(first.runId)).state.status).toBe('succeeded');
    } finally {
      await closePorts(ports);
      await store.close();
    }
  });
});
