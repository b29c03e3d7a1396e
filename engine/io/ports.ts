/**
 * The seams through which the engine touches the world. Actions receive these, never zx, ssh2 or
 * dockerode directly, so dry-run can hand them read-only versions and tests can hand them real ones.
 */

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
