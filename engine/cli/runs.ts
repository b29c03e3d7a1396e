/**
 * `runbook runs`, `runbook show RUN_ID`, `runbook list`, `runbook validate`.
 */
import { resolve } from 'node:path';
import { loadRunbook, validate } from '../api/load.js';
import { listRuns, showRun } from '../api/runs.js';
import { hasErrors } from '../dsl/diagnostics.js';
import { formatRuns, formatTimeline } from '../ui/runs.js';
import { builtinRunbooksDir } from '../package-root.js';
import { EXIT } from './exit-codes.js';
import { listRunbookFiles, runbookDirs } from './find-runbook.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';
import { storeFrom } from './paths.js';

export async function runsCommand(io: CliIo, options: CommonOptions): Promise<number> {
  const store = await storeFrom(io, options);
  const runs = await listRuns(store).finally(() => store.close());
  if (options.json) {
    for (const { state: r, supersededBy } of runs) {
      const by = supersededBy?.runId;
      io.stdout.write(JSON.stringify({ runId: r.runId, runbook: r.runbook, cluster: r.cluster, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt, ...(by === undefined ? {} : { supersededBy: by }) }) + '\n');
    }
  } else {
    io.stdout.write(formatRuns(runs));
  }
  return EXIT.ok;
}

export async function showCommand(io: CliIo, runId: string, options: CommonOptions): Promise<number> {
  const store = await storeFrom(io, options);
  const run = await showRun(store, runId).finally(() => store.close());
  if (options.json) for (const r of run.records) io.stdout.write(JSON.stringify(r) + '\n');
  else io.stdout.write(formatTimeline(run.state, run.records));
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
  const diagnostics = validate(
    files.map((f) => resolve(io.cwd, f)),
    options.inventory === undefined ? {} : { inventory: resolve(io.cwd, options.inventory) },
  );
  printDiagnostics(io, diagnostics);
  const bad = hasErrors(diagnostics);
  if (!bad && !options.json) say(io, `${files.length} runbook${files.length === 1 ? '' : 's'} valid`);
  return bad ? EXIT.invalid : EXIT.ok;
}
