/**
 * `runbook resume [RUN_ID]`: the given inputs and the inventory's cluster gathered here, the rest done by
 * the API; what it refuses is printed with the exit code that fits (2 invalid or changed, 3 superseded).
 */
import { actionDescriptors, closePorts, describeRun, hasErrors, loadInventory, resume, systemPorts } from '../index.js';
import { EXIT } from './exit-codes.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { parseInputPairs } from './load.js';
import { printDiagnostics } from './print-diagnostics.js';
import { inventoryFrom, storeArgument, storeFrom } from './paths.js';
import { finish, reporterFor } from './run.js';

export interface ResumeOptions extends CommonOptions {
  readonly yes: boolean;
  readonly force: boolean;
  readonly rerun: string[];
}

export async function resumeCommand(io: CliIo, runId: string | undefined, options: ResumeOptions): Promise<number> {
  // The inventory names the cluster whose latest run is resumed when no run id is given.
  let cluster: string | undefined;
  const file = runId === undefined ? inventoryFrom(options.inventory, io.env, io.cwd) : undefined;
  if (file !== undefined) {
    const inv = loadInventory(file);
    printDiagnostics(io, inv.diagnostics);
    if (hasErrors(inv.diagnostics) || inv.value === undefined) return EXIT.invalid;
    cluster = inv.value.cluster;
  }
  const given = parseInputPairs(io, options.input);
  if (given === undefined) return EXIT.invalid;
  const store = await storeFrom(io, options);
  const ports = systemPorts(io.stdin, io.stderr);
  const result = await resume({
    store,
    ...(runId === undefined ? {} : { runId }),
    ...(cluster === undefined ? {} : { cluster }),
    given,
    ...(options.inventory === undefined ? {} : { inventoryFile: options.inventory }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    force: options.force,
    rerun: options.rerun,
    yes: options.yes,
    ports,
    reporters: (runbook, inventory) => [reporterFor(io, options, runbook, inventory, true)],
    signal: io.signal,
    env: io.env,
    actions: actionDescriptors,
    warn: (line) => say(io, `warning: ${line}`),
  }).finally(() => Promise.all([closePorts(ports), store.close()]));
  if (result.type === 'resumed') return finish(io, result.outcome.status, result.outcome.runId, result.outcome.error, storeArgument(options, store));
  if (runId !== undefined) {
    say(io, `run ${result.latest.runId} already succeeded; nothing to resume`);
    return EXIT.ok;
  }
  say(io, `the latest run on cluster ${result.latest.cluster ?? 'local'}, ${describeRun(result.latest)}, succeeded: nothing to resume`);
  if (result.older.length > 0) {
    say(io, 'older unfinished runs (the cluster has moved on since; resume one only on purpose: runbook resume RUN_ID --force):');
    for (const r of result.older) say(io, `  ${describeRun(r)}`);
  }
  return EXIT.ok;
}
