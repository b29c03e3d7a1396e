/**
 * `runbook runs`, `runbook show RUN_ID`, `runbook list`, `runbook validate`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrors } from '../dsl/diagnostics.js';
import { loadRunbook } from '../index.js';
import { loadInventory } from '../inventory/load.js';
import { parseJournal } from '../journal/records.js';
import { listRuns, readRun } from '../journal/store.js';
import { supersededRuns } from '../journal/superseded.js';
import { formatRuns, formatTimeline } from '../ui/runs.js';
import { EXIT } from './exit-codes.js';
import { listRunbookFiles, runbookDirs } from './find-runbook.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { printDiagnostics } from './load.js';
import { builtinRunbooksDir } from '../package-root.js';
import { stateDirFrom } from './paths.js';
import { resolve } from 'node:path';

export async function runsCommand(io: CliIo, options: CommonOptions): Promise<number> {
  const runs = await listRuns(stateDirFrom(options.stateDir, io.env, io.cwd));
  const superseded = supersededRuns(runs);
  if (options.json) {
    for (const r of runs) {
      const by = superseded.get(r.runId)?.runId;
      io.stdout.write(JSON.stringify({ runId: r.runId, runbook: r.runbook, cluster: r.cluster, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt, ...(by === undefined ? {} : { supersededBy: by }) }) + '\n');
    }
  } else {
    io.stdout.write(formatRuns(runs, superseded));
  }
  return EXIT.ok;
}

export async function showCommand(io: CliIo, runId: string, options: CommonOptions): Promise<number> {
  const stateDir = stateDirFrom(options.stateDir, io.env, io.cwd);
  let run;
  try {
    run = await readRun(stateDir, runId);
  } catch {
    say(io, `error: no run ${runId} in ${stateDir}; list runs with: runbook runs`);
    return EXIT.invalid;
  }
  const { records } = parseJournal(await readFile(join(run.dir, 'journal.jsonl'), 'utf8'));
  if (options.json) for (const r of records) io.stdout.write(JSON.stringify(r) + '\n');
  else io.stdout.write(formatTimeline(run.state, records));
  return EXIT.ok;
}

export async function listCommand(io: CliIo, options: CommonOptions): Promise<number> {
  const files = listRunbookFiles(runbookDirs(options.runbooks, builtinRunbooksDir(), io.cwd));
  for (const { name, file } of files) {
    const loaded = loadRunbook(file);
    const rb = loaded.value;
    if (options.json) {
      io.stdout.write(JSON.stringify({ name, file, valid: rb !== undefined, description: rb?.description,
        inputs: rb?.inputs.map((i) => ({ name: i.name, type: i.type, required: i.required, default: i.default, secret: i.secret, description: i.description })) }) + '\n');
      continue;
    }
    if (rb === undefined) {
      io.stdout.write(`${name}  (invalid: run \`runbook validate ${file}\`)\n`);
      continue;
    }
    io.stdout.write(`${name}${rb.description === undefined ? '' : ` — ${rb.description.split('\n')[0]}`}\n`);
    for (const i of rb.inputs) {
      const flags = [i.type, i.required ? 'required' : undefined, i.default !== undefined ? `default ${JSON.stringify(i.default)}` : undefined, i.secret ? 'secret' : undefined]
        .filter((f) => f !== undefined).join(', ');
      io.stdout.write(`    --input ${i.name}=…  (${flags})${i.description === undefined ? '' : ` ${i.description}`}\n`);
    }
  }
  return EXIT.ok;
}

export async function validateCommand(io: CliIo, files: readonly string[], options: CommonOptions): Promise<number> {
  let bad = false;
  for (const file of files) {
    const loaded = loadRunbook(resolve(io.cwd, file));
    printDiagnostics(io, loaded.diagnostics);
    if (hasErrors(loaded.diagnostics)) bad = true;
  }
  if (options.inventory !== undefined) {
    const inv = loadInventory(resolve(io.cwd, options.inventory));
    printDiagnostics(io, inv.diagnostics);
    if (hasErrors(inv.diagnostics)) bad = true;
  }
  if (!bad && !options.json) say(io, `${files.length} runbook${files.length === 1 ? '' : 's'} valid`);
  return bad ? EXIT.invalid : EXIT.ok;
}
