/**
 * A bug in runbook (not in a runbook) still deserves a short answer: one line naming the failure, the
 * run it hit and the file holding the full trace. Traces never go to the terminal: they are long, and
 * only the person reporting the bug needs them.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The run this process is executing, if any: where a trace belongs. */
let current: { readonly runId: string; readonly dir: string } | undefined;

export function noteRun(runId: string, dir: string): void {
  current = { runId, dir };
}

export const TRACE_FILE = 'internal-errors.log';

/**
 * Appends the trace of `e` to the run directory's `internal-errors.log` (else a file in the temporary
 * directory when no run is known: `dir` null) and returns the line to show. `mask` hides secrets the trace could hold.
 */
export function reportInternal(e: unknown, mask: (text: string) => string = (t) => t, dir: string | null = current?.dir ?? null): string {
  const name = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const trace = e instanceof Error ? (e.stack ?? name) : name;
  const file = dir === null ? join(tmpdir(), `runbook-internal-error-${process.pid}.log`) : join(dir, TRACE_FILE);
  let where: string;
  try {
    if (dir !== null) mkdirSync(dir, { recursive: true, mode: 0o700 });
    appendFileSync(file, `${new Date().toISOString()} pid ${process.pid}\n${mask(trace)}\n\n`, { mode: 0o600 });
    where = `the full trace is in ${file}`;
  } catch (writeError) {
    where = `the trace could not be written to ${file} (${writeError instanceof Error ? writeError.message : String(writeError)})`;
  }
  const run = current === undefined || dir !== current.dir ? '' : ` in run ${current.runId}`;
  return mask(`internal error${run}: ${name}; ${where}`);
}
