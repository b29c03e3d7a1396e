/**
 * Runs the real `runbook` binary (bin/runbook.js over dist/) in a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/runbook.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  /** Called once the child is spawned, e.g. to kill it. */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** A command the CLI runs under, given `node BIN ARGS…` as its last arguments (`nsenter …`, `unshare …`). */
  readonly under?: readonly string[];
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const [command, ...prefix] = [...(options.under ?? []), process.execPath, BIN, ...args] as [string, ...string[]];
    const child = spawn(command, prefix, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
    options.onSpawn?.(child);
  });
}

/** A fresh temporary directory with the given files written into it. */
export function workspace(files: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** For `onSpawn`: kills the runner with SIGKILL as soon as `marker` appears in `dir` (a step wrote it). */
export function killWhen(dir: string, marker: string): (child: ChildProcess) => void {
  return (child) => {
    const poll = setInterval(() => {
      if (existsSync(join(dir, marker))) {
        clearInterval(poll);
        child.kill('SIGKILL');
      }
    }, 20);
  };
}
