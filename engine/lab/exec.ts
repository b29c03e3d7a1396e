/**
 * Runs host commands for the lab: argument vectors only (no shell), bounded time, bounded output.
 */
import { spawn } from 'node:child_process';
import { RunbookError } from '../errors.js';

/** What a finished command left behind. */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Kill the command after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Return a non-zero exit instead of throwing. */
  readonly allowFail?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
}

/** The sbin directories hold ip, iptables, sshd and dockerd; a user's PATH often lacks them. */
export function labEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  const own = (process.env['PATH'] ?? '').split(':').filter((p) => p !== '' && !path.includes(p));
  return { ...process.env, PATH: [...path, ...own].join(':'), ...extra };
}

const TAIL_LINES = 20;

function tail(text: string): string[] {
  return text.trimEnd().split('\n').slice(-TAIL_LINES);
}

/** Runs `cmd args…` and resolves with its output; throws COMMAND_FAILED / TIMEOUT unless `allowFail`. */
export function exec(cmd: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? labEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 4_000_000) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1_000_000) stderr += d.toString();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new RunbookError('COMMAND_FAILED', `cannot run ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = [cmd, ...args].join(' ');
      if (timedOut) {
        reject(new RunbookError('TIMEOUT', `${line} did not finish within ${timeoutMs} ms`, { details: tail(stderr) }));
        return;
      }
      const exit = code ?? 128;
      if (exit !== 0 && options.allowFail !== true) {
        reject(
          new RunbookError('COMMAND_FAILED', `${line} failed (exit ${exit}${signal ? `, ${signal}` : ''})`, {
            details: tail(stderr || stdout),
          }),
        );
        return;
      }
      resolve({ code: exit, stdout, stderr });
    });
  });
}

/** Quotes one value for a POSIX shell command line. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Thrown by a probe to end polling at once with `error` (the awaited thing can no longer happen). */
export class StopPolling extends Error {
  constructor(readonly error: unknown) {
    super('polling stopped');
  }
}

/** Polls `probe` until it returns a value other than undefined, or throws TIMEOUT with `what` after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      if (e instanceof StopPolling) throw e.error;
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new RunbookError('TIMEOUT', `${what} did not happen within ${Math.round(timeoutMs / 1000)} s${reason}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
