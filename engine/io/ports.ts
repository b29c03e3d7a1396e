/**
 * The seams through which the engine touches the world. Actions receive these, never zx, ssh2 or
 * docker-modem directly, so dry-run can hand them read-only versions and tests can hand them real ones.
 */
import type { DockerTls, InventoryNode } from '../inventory/types.js';

/** Where one instance of a step runs: this machine, or a node of the inventory. */
export type Target =
  | { readonly type: 'local' }
  | { readonly type: 'node'; readonly node: InventoryNode };

/** Everything an action may touch. */
export interface Ports {
  readonly shell: ShellPort;
  readonly clock: ClockPort;
  readonly prompt: PromptPort;
  readonly ssh: SshPort;
  /** The Docker Engine API of any node; in plan mode it refuses every call that is not GET or HEAD. */
  readonly docker: DockerPort;
}

/** Result of a finished local or remote command. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly signal?: string;
}

export interface ShellRequest {
  /** A complete shell command line whose interpolated values are already quoted. */
  readonly command: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Called with each complete output line as it arrives. */
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface ShellPort {
  run(request: ShellRequest): Promise<CommandResult>;
  /** Quotes one value for a POSIX shell. */
  quote(value: string): string;
}

export interface ClockPort {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface PromptPort {
  /** True when a person can answer (stdin is a TTY). */
  readonly interactive: boolean;
  /** Asks a yes/no question; resolves true only for an explicit yes. */
  confirm(question: string, signal: AbortSignal): Promise<boolean>;
}

/** How to reach one host over SSH (resolved from the inventory and ~/.ssh/config). */
export interface SshTarget {
  /** The node's name, used in messages and as a known_hosts name. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identity?: string;
  readonly knownHosts?: string;
  readonly hostKey: 'strict' | 'accept-new';
  /** A jump host, from ProxyJump. */
  readonly jump?: SshTarget;
  /** Key exchange algorithms in order of preference. */
  readonly kex?: readonly string[];
  /** How many connections the pool opens at once (the same for every target of an inventory). */
  readonly maxConnections?: number;
}

export interface SshExecOptions {
  readonly signal: AbortSignal;
  /** Written to the command's stdin, which is then closed (it is closed at once when absent). */
  readonly stdin?: string;
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** A declared read-only probe: the only kind of command a dry-run lets through. */
  readonly readOnly?: boolean;
}

export interface SshPort {
  exec(target: SshTarget, command: string, options: SshExecOptions): Promise<CommandResult>;
  /** The name the host on the other end gives itself (`uname -n`), asked once per connection. */
  hostname(target: SshTarget, signal: AbortSignal): Promise<string>;
  /** Copies the remote file `path` to the local file `to` over SFTP. */
  download(target: SshTarget, path: string, to: string, signal: AbortSignal): Promise<void>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** One call of the Docker Engine API. */
export interface DockerRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/nodes/abc/update` (no API version prefix: the client negotiates it). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: unknown;
  /** Defaults to 30 s; swarm join/init need more (the daemon itself waits 20 s). */
  readonly timeoutMs?: number;
}

/** Where a node's Engine API is, as the inventory says. */
export interface DockerTarget {
  readonly name: string;
  readonly endpoint:
    | { readonly type: 'socket'; readonly socket: string }
    | { readonly type: 'tcp'; readonly host: string; readonly tls?: DockerTls }
    | { readonly type: 'ssh'; readonly ssh: SshTarget };
}

export interface DockerPort {
  /**
   * Sends one request and returns the decoded JSON body (or undefined for an empty one). Fails with a
   * RunbookError('DOCKER_API' | 'UNREACHABLE' | 'TIMEOUT' | 'DRY_RUN_WRITE') whose message names the node,
   * the call and the daemon's message; `statusCode` is kept on the error's details.
   */
  request<T = unknown>(target: DockerTarget, request: DockerRequest, signal: AbortSignal): Promise<T>;
  close(): Promise<void>;
}
