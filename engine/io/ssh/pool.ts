/**
 * SSH on ssh2: one connection per host, reused by every step and instance, with keepalive, a cap
 * on connections being opened at once, a cap on concurrent channels below the server's MaxSessions,
 * host keys checked against known_hosts, and errors that name the host and the cause.
 */
import { readFileSync } from 'node:fs';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { RunbookError } from '../../errors.js';
import { onFirstUse } from '../../on-first-use.js';
import type { CommandResult, SshExecOptions, SshPort, SshTarget } from '../ports.js';
import { ConnectGate } from './connect-gate.js';
import { appendKnownHost, fingerprint, hostKeyName, keyTypeOf, readKnownHosts, verifyHostKey } from './known-hosts.js';

const ssh2 = onFirstUse<typeof import('ssh2')>('ssh2');

export interface SshPoolOptions {
  readonly connectTimeoutMs?: number;
  readonly keepaliveMs?: number;
  /** Concurrent channels per connection; OpenSSH's MaxSessions default is 10. */
  readonly channelsPerHost?: number;
  /** Connections opened at once when the target does not say (inventory `ssh.max_connections`). */
  readonly maxConnections?: number;
  readonly agentSocket?: string;
}

/**
 * Measured on 2 cores against 200 lab nodes: the fan-out is as fast with 64 set-ups at once as with all
 * of them, and each handshake waits at most 63 others, far inside the connect timeout (see docs/scaling.md).
 */
export const DEFAULT_MAX_CONNECTIONS = 64;

interface Connection {
  readonly client: Client;
  readonly limit: LimitFunction;
  /** What `uname -n` answered on this connection: a connection cannot change host, so it is asked once. */
  hostname?: Promise<string>;
}

function describeTarget(t: SshTarget): string {
  return `${t.name} (${t.user}@${t.host}:${t.port})`;
}

function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) emit(line.replace(/\r$/, ''));
    },
    end() {
      if (rest.length > 0) emit(rest);
      rest = '';
    },
  };
}

export class SshPool implements SshPort {
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #options: Required<Omit<SshPoolOptions, 'agentSocket'>> & { agentSocket?: string };
  /** Connections opened so far, for the benchmark and tests. */
  connectionsOpened = 0;
  readonly #gate = new ConnectGate();

  constructor(options: SshPoolOptions = {}) {
    this.#options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      keepaliveMs: options.keepaliveMs ?? 10_000,
      channelsPerHost: options.channelsPerHost ?? 8,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      ...(options.agentSocket === undefined ? {} : { agentSocket: options.agentSocket }),
    };
  }

  async exec(target: SshTarget, command: string, options: SshExecOptions): Promise<CommandResult> {
    const connection = await this.#connection(target, options.signal);
    return connection.limit(() => this.#exec(connection.client, target, command, options));
  }

  async hostname(target: SshTarget, signal: AbortSignal): Promise<string> {
    const connection = await this.#connection(target, signal);
    if (connection.hostname === undefined) {
      const asked = connection.limit(() => this.#exec(connection.client, target, 'uname -n', { signal, readOnly: true })).then((result) => {
        if (result.exitCode !== 0) {
          const tail = result.stderr.split('\n').filter((l) => l.length > 0).slice(-20);
          throw new RunbookError('COMMAND_FAILED', `${target.name}: uname -n (which host answers?) failed with exit code ${result.exitCode}`, { details: tail });
        }
        return result.stdout.trim();
      });
      connection.hostname = asked;
      // A failed look is asked again on the next call.
      asked.catch(() => {
        if (connection.hostname === asked) delete connection.hostname;
      });
    }
    return connection.hostname;
  }

  download(target: SshTarget, path: string, to: string, signal: AbortSignal): Promise<void> {
    return this.#sftp(target, signal, `cannot copy ${path}`, (sftp, done) => sftp.fastGet(path, to, done));
  }

  /** One SFTP session on the host's connection, for one transfer. */
  async #sftp(
    target: SshTarget,
    signal: AbortSignal,
    failure: string,
    transfer: (sftp: SFTPWrapper, done: (err?: Error | null) => void) => void,
  ): Promise<void> {
    const connection = await this.#connection(target, signal);
    await connection.limit(
      () =>
        new Promise<void>((resolve, reject) => {
          connection.client.sftp((err, sftp) => {
            if (err !== undefined && err !== null) {
              reject(new RunbookError('UNREACHABLE', `${describeTarget(target)}: SFTP refused: ${err.message}`));
              return;
            }
            transfer(sftp, (transferErr) => {
              sftp.end();
              if (transferErr !== undefined && transferErr !== null) {
                reject(new RunbookError('COMMAND_FAILED', `${describeTarget(target)}: ${failure}: ${transferErr.message}`));
              } else resolve();
            });
          });
        }),
    );
  }

  /** The most connections that were being opened at one moment, for the benchmark and tests. */
  get peakConnecting(): number {
    return this.#gate.peak;
  }

  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(
      all.map(async (p) => {
        try {
          (await p).client.end();
        } catch {
          // A connection that never opened has nothing to close.
        }
      }),
    );
  }

  #connection(target: SshTarget, signal: AbortSignal): Promise<Connection> {
    const key = `${target.user}@${target.host}:${target.port}`;
    let connection = this.#connections.get(key);
    if (connection === undefined) {
      connection = this.#connect(target, signal);
      this.#connections.set(key, connection);
      connection.catch(() => this.#connections.delete(key));
    }
    return connection;
  }

  async #connect(target: SshTarget, signal: AbortSignal): Promise<Connection> {
    // The jump host's connection is made first, outside the gate: holding a slot while waiting for another
    // could leave every slot waiting.
    const sock = target.jump === undefined ? undefined : await this.#forward(target.jump, target, signal);
    const leave = await this.#gate.enter(target.maxConnections ?? this.#options.maxConnections, signal);
    try {
      return await this.#handshake(target, sock, signal);
    } finally {
      leave();
    }
  }

  async #handshake(target: SshTarget, sock: ClientChannel | undefined, signal: AbortSignal): Promise<Connection> {
    const client = new (ssh2().Client)();
    let hostKeyProblem: RunbookError | undefined;
    const names = [hostKeyName(target.name, target.port), hostKeyName(target.host, target.port)];
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: this.#options.connectTimeoutMs,
      keepaliveInterval: this.#options.keepaliveMs,
      keepaliveCountMax: 3,
      ...(sock === undefined ? {} : { sock }),
      ...(target.kex === undefined ? {} : { algorithms: { kex: [...target.kex] as NonNullable<ConnectConfig['algorithms']>['kex'] } }),
      ...(this.#options.agentSocket === undefined ? {} : { agent: this.#options.agentSocket }),
      hostVerifier: (key: Buffer): boolean => {
        const file = target.knownHosts;
        if (file === undefined) {
          hostKeyProblem = new RunbookError('HOST_KEY', `${describeTarget(target)}: no known_hosts file to verify its host key ${fingerprint(key)}; set ssh.known_hosts in the inventory`);
          return false;
        }
        const verdict = verifyHostKey(readKnownHosts(file), names, key);
        if (verdict === 'match') return true;
        if (verdict === 'unknown' && target.hostKey === 'accept-new') {
          appendKnownHost(file, names[1] as string, key);
          return true;
        }
        const presented = `${keyTypeOf(key)} ${fingerprint(key)}`;
        hostKeyProblem = new RunbookError(
          'HOST_KEY',
          verdict === 'unknown'
            ? `${describeTarget(target)}: unknown host key ${presented}, not in ${file}; verify it, then add it (ssh-keyscan) or set ssh.host_key: accept-new`
            : verdict === 'revoked'
              ? `${describeTarget(target)}: host key ${presented} is marked @revoked in ${file}`
              : `${describeTarget(target)}: HOST KEY MISMATCH: the host presented ${presented}, which differs from ${file}. ` +
                `If the node was reinstalled, remove the old key (ssh-keygen -R ${target.host} -f ${file}) and verify the new one`,
        );
        return false;
      },
    };
    if (target.identity !== undefined) {
      try {
        config.privateKey = readFileSync(target.identity);
      } catch (e) {
        throw new RunbookError('AUTH', `${describeTarget(target)}: cannot read identity ${target.identity}: ${(e as Error).message}`);
      }
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        client.end();
        reject(new RunbookError('ABORTED', 'interrupted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      client.once('ready', () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      // `on`, not `once`: a refused handshake (no common key exchange) is followed by the socket's reset,
      // a second error that must not reach the process as an uncaught exception.
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        signal.removeEventListener('abort', onAbort);
        reject(hostKeyProblem ?? connectError(target, err));
        client.end();
      });
      client.connect(config);
    });
    this.connectionsOpened += 1;
    client.on('close', () => this.#connections.delete(`${target.user}@${target.host}:${target.port}`));
    return { client, limit: pLimit(this.#options.channelsPerHost) };
  }

  async #forward(jump: SshTarget, target: SshTarget, signal: AbortSignal): Promise<ClientChannel> {
    const connection = await this.#connection(jump, signal);
    return new Promise((resolve, reject) => {
      connection.client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) => {
        if (err !== undefined && err !== null) {
          reject(new RunbookError('UNREACHABLE', `${describeTarget(target)}: jump host ${jump.name} cannot reach it: ${err.message}`));
        } else resolve(stream);
      });
    });
  }

  #exec(client: Client, target: SshTarget, command: string, options: SshExecOptions): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      if (options.signal.aborted) {
        reject(new RunbookError('ABORTED', 'interrupted'));
        return;
      }
      client.exec(`${GROUP_MARK_COMMAND}${command}`, (err, stream) => {
        if (err !== undefined && err !== null) {
          reject(new RunbookError('UNREACHABLE', `${describeTarget(target)}: cannot open a session: ${err.message}`, { retryable: true }));
          return;
        }
        let stdout = '';
        let stderr = '';
        let exitCode: number | undefined;
        let exitSignal: string | undefined;
        let group: string | undefined;
        const out = lineSplitter((l) => options.onLine?.('stdout', l));
        const errLines = lineSplitter((l) => {
          const mark = group === undefined ? GROUP_MARK.exec(l) : null;
          if (mark !== null) group = mark[1];
          else options.onLine?.('stderr', l);
        });
        const onAbort = (): void => {
          // ssh2 drops signal requests once stdin is closed and OpenSSH refuses them in root sessions: end
          // the command's process group from a second session instead, so nothing outlives a timeout.
          if (group !== undefined) killGroup(client, group);
          stream.close();
        };
        options.signal.addEventListener('abort', onAbort, { once: true });
        stream.on('data', (c: Buffer) => {
          stdout += c.toString('utf8');
          out.push(c);
        });
        stream.stderr.on('data', (c: Buffer) => {
          stderr += c.toString('utf8');
          errLines.push(c);
        });
        stream.on('exit', (code: number | null, signalName?: string) => {
          if (code !== null) exitCode = code;
          if (signalName !== undefined) exitSignal = signalName;
        });
        stream.on('close', () => {
          options.signal.removeEventListener('abort', onAbort);
          out.end();
          errLines.end();
          if (options.signal.aborted) {
            reject(new RunbookError('ABORTED', 'interrupted'));
            return;
          }
          if (exitCode === undefined && exitSignal === undefined) {
            reject(new RunbookError('UNREACHABLE', `${describeTarget(target)}: connection lost while running a command`, { retryable: true }));
            return;
          }
          resolve({
            stdout,
            stderr: stderr.replace(GROUP_MARK_LINE, ''),
            exitCode: exitCode ?? 255,
            ...(exitSignal === undefined ? {} : { signal: exitSignal }),
          });
        });
        // Closing stdin keeps a command that unexpectedly prompts from hanging forever.
        if (options.stdin !== undefined) stream.end(options.stdin);
        else stream.end();
      });
    });
  }
}

/**
 * sshd starts each session's command in a session of its own, so the login shell's pid is the process
 * group of everything the command starts. Its first stderr line says which; it is never shown.
 */
const GROUP_MARK_COMMAND = "printf 'runbook-process-group:%s\\n' \"$$\" >&2; ";
const GROUP_MARK = /^runbook-process-group:(\d+)$/;
const GROUP_MARK_LINE = /^runbook-process-group:\d+\n/m;

function killGroup(client: Client, group: string): void {
  const kill = `kill -TERM -- -${group} 2>/dev/null; sleep 2; kill -KILL -- -${group} 2>/dev/null; true`;
  client.exec(kill, (err, stream) => {
    if (err === undefined || err === null) {
      stream.resume();
      stream.stderr.resume();
      stream.end();
    }
  });
}

function connectError(target: SshTarget, err: Error & { level?: string; code?: string }): RunbookError {
  if (err.level === 'client-authentication') {
    return new RunbookError(
      'AUTH',
      `${describeTarget(target)}: authentication refused (${target.identity === undefined ? 'no identity file; ssh-agent if running' : `key ${target.identity}`}); check the user and that the key is in authorized_keys`,
    );
  }
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
    return new RunbookError('UNREACHABLE', `${describeTarget(target)}: unreachable: timed out connecting`, { retryable: true });
  }
  return new RunbookError('UNREACHABLE', `${describeTarget(target)}: unreachable: ${err.code ?? err.message}`, { retryable: true });
}
