/**
 * `wait.until`'s words, written by the runbook with the last probe's `result`: `progress`, shown while the
 * wait goes on whenever it changes, and `message`, what a timeout tells the operator (`result` null when no
 * probe answered), exit 1, the poll's own account kept below it. Probes real HTTP servers on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

let server: Server;
let port: number;
/** Says `starting` twice, `warming` twice, then `ready`. */
let warming: Server;
let warmingPort: number;

async function listen(s: Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  server = createServer((_, res) => res.end('starting'));
  port = await listen(server);
  let asked = 0;
  warming = createServer((_, res) => {
    asked += 1;
    res.end(asked <= 2 ? 'starting' : asked <= 4 ? 'warming' : 'ready');
  });
  warmingPort = await listen(warming);
});

afterAll(async () => {
  await Promise.all([server, warming].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const runbook = (url: string): string => `
name: wait-message
steps:
  - id: up
    action: wait.until
    with:
      probe: { action: http.probe, with: { url: "${url}", timeout: 1s, interval: 200ms } }
      until: "\${{ result.body == 'ready' }}"
      interval: 200ms
      timeout: 2s
      message: "\${{ result == null ? 'the service never answered' : 'the service still says ' + result.body }}: restart it by hand"
`;

describe('wait.until message', () => {
  it('words the timeout with the last probe result', async () => {
    const dir = workspace({ 'rb.yaml': runbook(`http://127.0.0.1:${port}/`) });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the service still says starting: restart it by hand');
    expect(r.stderr).toMatch(/timed out after 2s waiting for wait until/);
  }, 30_000);

  it('gets a null result when no probe answered', async () => {
    // A port nothing listens on: the server is closed at once.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dir = workspace({ 'rb.yaml': runbook(`http://127.0.0.1:${free}/`) });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the service never answered: restart it by hand');
  }, 30_000);

  it('may read result, and only known names, as validation checks', async () => {
    const dir = workspace({ 'rb.yaml': runbook(`http://127.0.0.1:${port}/`).replace("'the service never answered'", 'inputs.nothing') });
    const r = await runCli(['validate', 'rb.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/rb\.yaml:11:38: error RB_EXPR_UNKNOWN_INPUT/);
  });
});

describe('wait.until progress', () => {
  it('shows its words with each new result, once per change, instead of the expression', async () => {
    const rb = runbook(`http://127.0.0.1:${warmingPort}/`).replace('timeout: 2s', 'timeout: 20s').replace(/      message: .*\n/, '      progress: "the service says ${{ result.body }}"\n');
    const dir = workspace({ 'rb.yaml': rb });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const waits = r.stderr.split('\n').filter((l) => l.includes('waiting:')).map((l) => l.replace(/^.*waiting: /, ''));
    expect(waits).toEqual(['the service says starting', 'the service says warming']);
    expect(r.stderr).not.toContain('is false');
  }, 30_000);
});
