/**
 * Errors of the Docker Engine API, as RunbookErrors that name the node, the call and the daemon's
 * own message. Actions branch on `code`, and on `statusCode` when the daemon answered.
 */
import { RunbookError } from '../../errors.js';
import type { DockerTls } from '../../inventory/types.js';
import { tlsProblem } from './tls.js';

/** The daemon answered with a status outside 2xx. */
export class DockerApiError extends RunbookError {
  /** The HTTP status the daemon answered with, e.g. 500 for "update out of sequence". */
  readonly statusCode: number;
  /** The daemon's own message, without the node and call around it. */
  readonly daemonMessage: string;

  constructor(message: string, statusCode: number, daemonMessage: string) {
    super('DOCKER_API', message, { retryable: statusCode === 503 });
    this.statusCode = statusCode;
    this.daemonMessage = daemonMessage;
  }
}

/** The HTTP status of a daemon refusal, or undefined when the daemon did not answer. */
export function dockerStatusOf(e: unknown): number | undefined {
  return e instanceof DockerApiError ? e.statusCode : undefined;
}

/** The daemon's message of a refusal ('' when the daemon did not answer). */
export function daemonMessageOf(e: unknown): string {
  return e instanceof DockerApiError ? e.daemonMessage : '';
}

interface TransportError {
  readonly code?: string;
  readonly level?: string;
  readonly message?: string;
  readonly statusCode?: number;
  readonly json?: unknown;
  readonly name?: string;
  readonly reason?: string;
}

/** What a call was: `POST /nodes/x/update`, for messages. */
export interface CallDescription {
  readonly node: string;
  readonly call: string;
  /** e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.1:2375`, `ssh://root@10.0.0.1:22`. */
  readonly endpoint: string;
}

function daemonText(json: unknown, fallback: string): string {
  if (json !== null && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return ((json as { message: string }).message).trim();
  }
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  if (typeof json === 'string' && json !== '') return json.trim();
  return fallback.trim();
}

const UNREACHABLE_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOENT: 'no such socket',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out connecting',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed',
};

/** Maps whatever docker-modem or the transport threw to a RunbookError. */
export function mapDockerError(
  err: unknown,
  where: CallDescription,
  timeout: { readonly fired: boolean; readonly ms: number },
  transport: { readonly problem?: RunbookError | undefined; readonly dialError?: string | undefined; readonly tls?: DockerTls | undefined },
): RunbookError {
  const hostKeyProblem = transport.problem;
  if (err instanceof RunbookError) return err;
  const e = (err ?? {}) as TransportError;
  const tls = tlsProblem(e, where.node, where.endpoint, transport.tls);
  if (tls !== undefined) return tls;
  if (typeof e.statusCode === 'number') {
    const message = daemonText(e.json, e.message ?? '');
    return new DockerApiError(`${where.node}: ${where.call} → ${e.statusCode}: ${message}`, e.statusCode, message);
  }
  if (e.name === 'AbortError' || e.code === 'ABORT_ERR') {
    return timeout.fired
      ? new RunbookError('TIMEOUT', `${where.node}: ${where.call}: no answer from ${where.endpoint} within ${timeout.ms < 1000 ? `${timeout.ms} ms` : `${Math.round(timeout.ms / 1000)} s`}`, { retryable: true })
      : new RunbookError('ABORTED', 'interrupted');
  }
  if (hostKeyProblem !== undefined) return hostKeyProblem;
  if (e.level === 'client-authentication') {
    return new RunbookError('AUTH', `${where.node}: Docker API over SSH at ${where.endpoint}: authentication refused; check the user and that the key is in authorized_keys`);
  }
  if (e.code === 'EACCES') {
    return new RunbookError('AUTH', `${where.node}: Docker API at ${where.endpoint}: permission denied (the user needs access to the socket: root or the docker group)`);
  }
  const words = e.code === undefined ? undefined : UNREACHABLE_WORDS[e.code];
  if (words !== undefined || e.level === 'client-timeout' || e.level === 'client-socket') {
    const hint = where.endpoint.startsWith('ssh://')
      ? ' (is sshd up, the docker CLI installed on the node, and dockerd running?)'
      : ' (is dockerd running?)';
    return new RunbookError('UNREACHABLE', `${where.node}: Docker API unreachable at ${where.endpoint}: ${words ?? e.message ?? 'no connection'}${hint}`, {
      retryable: true,
    });
  }
  if (/socket hang up/i.test(e.message ?? '')) {
    const remote = transport.dialError === undefined || transport.dialError === '' ? '' : `: ${transport.dialError}`;
    return new RunbookError('UNREACHABLE', `${where.node}: Docker API at ${where.endpoint} closed the connection during ${where.call}${remote}`, { retryable: true });
  }
  return new RunbookError('DOCKER_API', `${where.node}: ${where.call}: ${e.message ?? String(err)}`, { cause: err });
}
