/**
 * The Docker client against a real HTTP server on a unix socket (what dockerd is to it): the API version
 * negotiated, query and body kept apart, daemon refusals and dead sockets turned into errors that name the
 * node and the call, deadlines, and the plan-mode wrapper that refuses every write before it leaves.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../../engine/io/docker/client.js';
import { DockerApiError } from '../../../engine/io/docker/errors.js';
import type { DockerTarget } from '../../../engine/io/ports.js';
import { readOnlyDocker } from '../../../engine/io/read-only.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

const dir = mkdtempSync(join(tmpdir(), 'rb-docker-'));
const socket = join(dir, 'docker.sock');
const target: DockerTarget = { name: 'node2', endpoint: { type: 'socket', socket } };
const seen: Seen[] = [];
let server: Server;
const signal = new AbortController().signal;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const reply = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/version') return reply(200, { ApiVersion: '1.41' });
      if (req.url?.startsWith('/v1.41/nodes/x/update')) return reply(500, { message: 'rpc error: code = Unknown desc = update out of sequence' });
      if (req.url === '/v1.41/slow') return setTimeout(() => reply(200, {}), 3_000);
      if (req.url === '/v1.41/swarm/leave?force=true') return res.writeHead(200).end();
      if (req.url === '/v1.41/nodes') return reply(200, [{ ID: 'a' }]);
      return reply(404, { message: `page not found: ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('Docker client', () => {
  it('negotiates the API version once and prefixes every call with it', async () => {
    const client = createDockerClient();
    try {
      seen.length = 0;
      expect(await client.request(target, { method: 'GET', path: '/nodes' }, signal)).toEqual([{ ID: 'a' }]);
      expect(await client.request(target, { method: 'GET', path: '/nodes' }, signal)).toEqual([{ ID: 'a' }]);
      expect(seen.map((s) => s.url)).toEqual(['/version', '/v1.41/nodes', '/v1.41/nodes']);
    } finally {
      await client.close();
    }
  });

  it('puts the query in the URL and the spec only in the body', async () => {
    const client = createDockerClient();
    try {
      seen.length = 0;
      const body = { Name: 'n', Labels: { secret: 'do-not-put-me-in-a-url' }, Role: 'worker', Availability: 'active' };
      const error = await client
        .request(target, { method: 'POST', path: '/nodes/x/update', query: { version: 12 }, body }, signal)
        .catch((e: unknown) => e);
      const update = seen.find((s) => s.url.includes('/update'));
      expect(update?.url).toBe('/v1.41/nodes/x/update?version=12');
      expect(JSON.parse(update?.body ?? '')).toEqual(body);
      expect(error).toBeInstanceOf(DockerApiError);
      expect(error).toMatchObject({ code: 'DOCKER_API', statusCode: 500 });
      expect((error as Error).message).toBe('node2: POST /nodes/x/update → 500: rpc error: code = Unknown desc = update out of sequence');
    } finally {
      await client.close();
    }
  });

  it('sends a POST without a body as an empty request, query only', async () => {
    const client = createDockerClient();
    try {
      seen.length = 0;
      expect(await client.request(target, { method: 'POST', path: '/swarm/leave', query: { force: true } }, signal)).toBeUndefined();
      expect(seen.at(-1)).toEqual({ method: 'POST', url: '/v1.41/swarm/leave?force=true', body: '' });
    } finally {
      await client.close();
    }
  });

  it('keeps the daemon message of a refusal and its status', async () => {
    const client = createDockerClient();
    try {
      const error = await client.request(target, { method: 'GET', path: '/nodes/nope' }, signal).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DOCKER_API', statusCode: 404, daemonMessage: 'page not found: /v1.41/nodes/nope' });
      expect((error as Error).message).toMatch(/^node2: GET \/nodes\/nope → 404: page not found/);
    } finally {
      await client.close();
    }
  });

  it('gives up at the deadline with TIMEOUT naming the node and the call', async () => {
    const client = createDockerClient();
    try {
      const started = Date.now();
      const error = await client.request(target, { method: 'GET', path: '/slow', timeoutMs: 300 }, signal).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TIMEOUT' });
      expect((error as Error).message).toMatch(/^node2: GET \/slow: no answer from unix:\/\/.* within 300 ms$/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await client.close();
    }
  });

  it('reports a socket nobody listens on as UNREACHABLE, naming node and address', async () => {
    const client = createDockerClient();
    try {
      const missing = join(dir, 'gone.sock');
      const error = await client
        .request({ name: 'node3', endpoint: { type: 'socket', socket: missing } }, { method: 'GET', path: '/info' }, signal)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNREACHABLE' });
      expect((error as Error).message).toBe(`node3: Docker API unreachable at unix://${missing}: no such socket (is dockerd running?)`);
      const refused = await client
        .request({ name: 'node4', endpoint: { type: 'tcp', host: 'tcp://127.0.0.1:1' } }, { method: 'GET', path: '/info' }, signal)
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'UNREACHABLE' });
      expect((refused as Error).message).toBe('node4: Docker API unreachable at tcp://127.0.0.1:1: connection refused (is dockerd running?)');
    } finally {
      await client.close();
    }
  });

  it('in plan mode refuses POST, PUT and DELETE before anything is sent, and lets GET through', async () => {
    const client = createDockerClient();
    const readOnly = readOnlyDocker(client);
    try {
      seen.length = 0;
      for (const method of ['POST', 'PUT', 'DELETE'] as const) {
        const error = await readOnly.request(target, { method, path: '/nodes/x/update', query: { version: 1 }, body: {} }, signal).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'DRY_RUN_WRITE' });
        expect((error as Error).message).toBe(`dry-run: refused to send ${method} /nodes/x/update to node2`);
      }
      expect(seen).toEqual([]);
      expect(await readOnly.request(target, { method: 'GET', path: '/nodes' }, signal)).toEqual([{ ID: 'a' }]);
    } finally {
      await client.close();
    }
  });
});
