/**
 * `http.probe`: GET a URL from the runner's machine until the status is one of `status` and the
 * body contains `contains`. Each request has its own deadline, so a hanging server costs one try,
 * not the whole wait. Read-only.
 */
import { defineAction } from '../define.js';
import { durationMs, durationSchema, pollUntil } from '../poll.js';

export interface HttpProbeWith {
  url: string;
  status?: number[];
  contains?: string;
  headers?: Record<string, string>;
  interval?: string;
  timeout?: string;
  request_timeout?: string;
}

const BODY_LIMIT = 4096;

type Answer = { readonly status: number; readonly body: string } | { readonly error: string };

async function fetchOnce(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
  try {
    const response = await fetch(url, { method: 'GET', headers, signal, redirect: 'follow' });
    const body = await response.text();
    return { status: response.status, body };
  } catch (e) {
    if (signal.aborted && !(signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError')) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (e as Error).message };
  }
}

export const httpProbe = defineAction<HttpProbeWith>({
  name: 'http.probe',
  description: 'GET a URL from the runner’s machine until the status (and body) is as expected.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^https?://', description: 'http:// or https:// URL.' },
      status: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1, description: 'Statuses that count as up (default [200]).' },
      contains: { type: 'string', description: 'Text the body must contain.' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers.' },
      interval: durationSchema('Time between tries (default 2s).'),
      timeout: durationSchema('Give up after this long (default 5m).'),
      request_timeout: durationSchema('Deadline of one request (default 10s).'),
    },
  },
  mutating: false,
  idempotent: true,
  defaultTarget: 'local',
}, {
  plan(args) {
    const want = `status in [${(args.status ?? [200]).join(', ')}]${args.contains === undefined ? '' : ` and body containing ${JSON.stringify(args.contains)}`}`;
    return [{ summary: `probe until ${want}${args.timeout === undefined ? '' : ` (at most ${args.timeout})`}`, call: `GET ${args.url}` }];
  },
  async run(args, ctx) {
    const wanted = args.status ?? [200];
    const perRequest = durationMs(args.request_timeout, 10_000);
    const timeoutMs = durationMs(args.timeout, 300_000);
    let attempts = 0;
    const answer = await pollUntil(
      ctx,
      { what: `GET ${args.url}`, intervalMs: durationMs(args.interval, 2000), ...(timeoutMs === undefined ? {} : { timeoutMs }) },
      async () => {
        attempts += 1;
        const got = await fetchOnce(args.url, args.headers ?? {}, AbortSignal.any([ctx.signal, AbortSignal.timeout(perRequest)]));
        if ('error' in got) return { done: false, waiting: `no answer (${got.error})` };
        if (!wanted.includes(got.status)) return { done: false, waiting: `status ${got.status}` };
        if (args.contains !== undefined && !got.body.includes(args.contains)) {
          return { done: false, waiting: `status ${got.status}, body without ${JSON.stringify(args.contains)}` };
        }
        return { done: true, value: got };
      },
    );
    const body = answer.body.length > BODY_LIMIT ? `${answer.body.slice(0, BODY_LIMIT)}…` : answer.body;
    return { url: args.url, status: answer.status, body, attempts };
  },
});
