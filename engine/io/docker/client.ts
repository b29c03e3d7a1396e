/**
 * The Docker Engine API over docker-modem: one modem per node endpoint (unix socket, tcp, tcp with TLS, or ssh),
 * the API version negotiated once per endpoint, query and body kept apart (`_query`/`_body`) so a
 * spec never ends up in a URL, every call bounded by a deadline, every failure a RunbookError that
 * names the node and the call.
 */
import { Agent } from 'node:http';
import type Modem from 'docker-modem';
import { RunbookError } from '../../errors.js';
import { onFirstUse } from '../../on-first-use.js';
import { tcpAddress } from '../../inventory/docker.js';
import type { DockerTls } from '../../inventory/types.js';
import type { DockerPort, DockerRequest, DockerTarget } from '../ports.js';
import { mapDockerError, type CallDescription } from './errors.js';
import { QuietAgent, QuietTlsAgent } from './quiet-agent.js';
import { SshDialAgent, type SshProblemSlot } from './ssh-agent.js';
import { endpointUrl } from './target.js';
import { sshConnectOptions, type HostKeyProblemSlot } from './ssh-options.js';
import { readTlsFiles } from './tls.js';

type TransportSlot = HostKeyProblemSlot & SshProblemSlot;

export interface DockerClientOptions {
  /** Deadline of a call that sets none (default 30 s). */
  readonly defaultTimeoutMs?: number;
  /** ssh-agent socket for the SSH transport. */
  readonly agentSocket?: string;
}

/** The newest API version this engine speaks; newer daemons are asked for this one. */
const NEWEST_API = [1, 45] as const;

const SUCCESS = { 200: true, 201: true, 204: true, 304: true } as const;

interface Endpoint {
  readonly modem: Modem;
  /** Keeps connections to the daemon (or the SSH connection) open between calls; closed by `close()`. */
  readonly agent: Agent;
  readonly description: string;
  readonly slot: TransportSlot;
  /** The TLS files of a tcp endpoint, for messages that say which one to fix. */
  readonly tls?: DockerTls;
  version?: string;
}

const modemClass = onFirstUse<typeof Modem>('docker-modem');

/**
 * docker-modem reads DOCKER_HOST and DOCKER_CERT_PATH from the environment; the inventory alone must
 * decide where a call goes, so every such field is set explicitly here. SSH goes through an agent of
 * ours, with modem speaking plain HTTP over its channels; TLS through an agent holding the certificates, so
 * the private key never sits in the request options modem formats for its debug log.
 */
function createModem(target: DockerTarget, agent: Agent): Modem {
  const Modem = modemClass();
  const cleared = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    version: undefined,
    timeout: undefined,
    sshOptions: undefined,
    agent,
  };
  const e = target.endpoint;
  let modem: Modem;
  switch (e.type) {
    case 'socket':
      modem = new Modem({ ...cleared, socketPath: e.socket });
      break;
    case 'tcp': {
      const url = parseTcp(target.name, e.host);
      modem = new Modem({ ...cleared, protocol: e.tls === undefined ? 'http' : 'https', host: url.hostname, port: url.port });
      break;
    }
    case 'ssh':
      // The host only fills the request's URL; the agent decides where the bytes go.
      modem = new Modem({ ...cleared, protocol: 'http', host: e.ssh.host, port: 2375 });
      break;
  }
  (modem as unknown as { pathPrefix: string }).pathPrefix = '/';
  return modem;
}

function agentFor(target: DockerTarget, slot: TransportSlot, agentSocket: string | undefined): Agent {
  const e = target.endpoint;
  const pool = { keepAlive: true, maxSockets: 8 };
  if (e.type === 'tcp' && e.tls !== undefined) return new QuietTlsAgent({ ...pool, ...readTlsFiles(target.name, e.tls) });
  if (e.type !== 'ssh') return new QuietAgent(pool);
  return new SshDialAgent(e.ssh, sshConnectOptions(e.ssh, slot, agentSocket), slot);
}

/** The inventory checked the address when it loaded; this guards targets made elsewhere. */
function parseTcp(node: string, host: string): { hostname: string; port: string } {
  const url = tcpAddress(host);
  if (url === undefined) throw new RunbookError('INVALID', `${node}: docker host "${host}" is not tcp://ADDRESS:PORT`);
  return { hostname: url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname, port: url.port };
}

function dial(modem: Modem, options: Modem.DialOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    modem.dial(options, (err, data) => (err !== null && err !== undefined ? reject(err) : resolve(data)));
  });
}

function decoded(data: unknown): unknown {
  if (Buffer.isBuffer(data)) return data.length === 0 ? undefined : data.toString('utf8');
  return data;
}

function versionFrom(body: unknown): string {
  const text = (body as { ApiVersion?: unknown } | undefined)?.ApiVersion;
  const m = typeof text === 'string' ? /^(\d+)\.(\d+)$/.exec(text) : null;
  if (m === null) return `v${NEWEST_API[0]}.${NEWEST_API[1]}`;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const newer = major > NEWEST_API[0] || (major === NEWEST_API[0] && minor > NEWEST_API[1]);
  return newer ? `v${NEWEST_API[0]}.${NEWEST_API[1]}` : `v${major}.${minor}`;
}

export function createDockerClient(options: DockerClientOptions = {}): DockerPort {
  const endpoints = new Map<string, Endpoint>();
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;

  function endpointOf(target: DockerTarget): Endpoint {
    const key = endpointUrl(target);
    let endpoint = endpoints.get(key);
    if (endpoint === undefined) {
      const slot: TransportSlot = {};
      const agent = agentFor(target, slot, options.agentSocket);
      const tls = target.endpoint.type === 'tcp' ? target.endpoint.tls : undefined;
      endpoint = { modem: createModem(target, agent), agent, description: key, slot, ...(tls === undefined ? {} : { tls }) };
      endpoints.set(key, endpoint);
    }
    return endpoint;
  }

  async function send(endpoint: Endpoint, target: DockerTarget, request: DockerRequest, path: string, signal: AbortSignal): Promise<unknown> {
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const where: CallDescription = { node: target.name, call: `${request.method} ${request.path}`, endpoint: endpoint.description };
    if (signal.aborted) throw new RunbookError('ABORTED', 'interrupted');
    const query = request.query ?? {};
    const hasQuery = Object.keys(query).length > 0;
    try {
      const data = await dial(endpoint.modem, {
        path: hasQuery ? `${path}?` : path,
        method: request.method,
        // docker-modem sends `_body` and builds the query from `_query` only; both are always set so
        // neither falls back to the other.
        options: { _query: query, _body: request.body ?? {} },
        statusCodes: SUCCESS,
        abortSignal: AbortSignal.any([signal, deadline]),
      });
      return decoded(data);
    } catch (e) {
      throw mapDockerError(e, where, { fired: deadline.aborted && !signal.aborted, ms: timeoutMs }, { ...endpoint.slot, tls: endpoint.tls });
    }
  }

  return {
    async request<T = unknown>(target: DockerTarget, request: DockerRequest, signal: AbortSignal): Promise<T> {
      const endpoint = endpointOf(target);
      if (endpoint.version === undefined) {
        // Negotiated once per endpoint; a failure is not remembered, so a daemon that comes back is asked again.
        const body = await send(endpoint, target, { ...request, method: 'GET', path: '/version', query: {} }, '/version', signal).catch((e: unknown) => {
          throw e instanceof RunbookError && e.code === 'DOCKER_API' ? e : rename(e, request);
        });
        endpoint.version = versionFrom(body);
      }
      return (await send(endpoint, target, request, `/${endpoint.version}${request.path}`, signal)) as T;
    },
    async close(): Promise<void> {
      for (const endpoint of endpoints.values()) endpoint.agent.destroy();
      endpoints.clear();
    },
  };
}

/** A failed negotiation is reported as the failure of the call that needed it. */
function rename(e: unknown, request: DockerRequest): unknown {
  if (!(e instanceof RunbookError) || e.code !== 'TIMEOUT') return e;
  return new RunbookError('TIMEOUT', e.message.replace('GET /version', `${request.method} ${request.path}`), { retryable: true });
}
