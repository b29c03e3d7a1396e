/**
 * `runbook report RUN_ID [--out FILE]`: one self-contained HTML page of a run, from its journal. Without
 * `--out` it goes into the run's directory (`STATE_DIR/runs/RUN_ID/report.html`, beside what the run's
 * steps wrote there); the path written is printed on stdout.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadRunbook } from '../api/load.js';
import { showRun } from '../api/runs.js';
import type { RunState } from '../journal/replay.js';
import type { RunStore } from '../journal/run-store.js';
import { reportHtml, type ReportNote } from '../report/html.js';
import { reportModel, type StepInfo } from '../report/model.js';
import { EXIT } from './exit-codes.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { storeFrom } from './paths.js';

export const REPORT_FILE = 'report.html';

export interface ReportOptions extends CommonOptions {
  readonly out?: string;
}

export async function reportCommand(io: CliIo, runId: string, options: ReportOptions): Promise<number> {
  const out = options.out === undefined ? undefined : resolve(io.cwd, options.out);
  if (out !== undefined && !existsSync(dirname(out))) {
    say(io, `error: --out ${options.out}: the directory ${dirname(out)} does not exist; create it first or write --out into an existing one`);
    return EXIT.invalid;
  }
  const store = await storeFrom(io, options);
  const path = await writeRunReport(store, runId, out === undefined ? {} : { out }).finally(() => store.close());
  io.stdout.write(`${path}\n`);
  return EXIT.ok;
}

/** Writes the report of `runId` (to `out`, else into the run's directory) and returns its path. */
export async function writeRunReport(store: RunStore, runId: string, options: { out?: string; notes?: readonly ReportNote[] } = {}): Promise<string> {
  const run = await showRun(store, runId);
  const model = reportModel(run.records, stepsOf(run.state));
  const html = reportHtml(model, { generatedAt: new Date().toISOString(), ...(options.notes === undefined ? {} : { notes: options.notes }) });
  const path = options.out ?? join(await store.runDir(runId), REPORT_FILE);
  await writeFile(path, html);
  return path;
}

/** Names, actions and needs of the run's steps, when its runbook file still is what the run ran. */
function stepsOf(state: RunState): ReadonlyMap<string, StepInfo> | undefined {
  if (!existsSync(state.runbookFile)) return undefined;
  const runbook = loadRunbook(state.runbookFile).value;
  if (runbook === undefined || runbook.hash !== state.runbookHash) return undefined;
  return new Map(
    runbook.steps.map((s) => [s.id as string, { ...(s.name === undefined ? {} : { name: s.name }), action: s.action, needs: s.needs.map(String) }]),
  );
}
