/**
 * `wait.until`'s `message`: what a timeout tells the operator, worded by the runbook with the last probe's
 * `result` (null when no probe answered), exit 1, the poll's own account kept below it. Probes a real HTTP
 * server on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_, res) => res.end('starting'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
