/**
 * A minimal Docker Engine API client over a unix socket, for the few calls the lab makes itself
 * (ping, info, swarm, nodes). Each call has a deadline: a manager without quorum can hang for a long time.
 */
import { request } from 'node:http';
import { RunbookError } from '../errors.js';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export function dockerApi(
  socket: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        method,
        path: `/v1.41${path}`,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            // plain-text answers such as /_ping's "OK"
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new RunbookError('TIMEOUT', `${method} ${path} on ${socket}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like dockerApi, but throws DOCKER_API unless the status is 2xx. */
export async function dockerOk(
  socket: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs?: number,
): Promise<unknown> {
  const r = await dockerApi(socket, method, path, body, timeoutMs);
  if (r.status < 200 || r.status >= 300) {
    const message = (r.body as { message?: string } | undefined)?.message ?? String(r.body);
    throw new RunbookError('DOCKER_API', `${method} ${path} on ${socket}: ${r.status} ${message}`);
  }
  return r.body;
}

export async function pingDocker(socket: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    return (await dockerApi(socket, 'GET', '/_ping', undefined, timeoutMs)).status === 200;
  } catch {
    return false;
  }
}
