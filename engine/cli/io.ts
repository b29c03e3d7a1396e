/**
 * What a command talks to. Passed in, so tests can drive commands with their own streams.
 */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** Options every command accepts. */
export interface CommonOptions {
  readonly inventory?: string;
  readonly input: string[];
  readonly stateDir?: string;
  /** `--state URL`: the shared run store. */
  readonly state?: string;
  readonly json: boolean;
  readonly runbooks?: string;
  /** `--limit PATTERN` (plan, run, resume). */
  readonly limit?: string;
}

export function say(io: CliIo, line: string): void {
  io.stderr.write(line + '\n');
}
