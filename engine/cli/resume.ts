/**
 * `runbook resume [RUN_ID]`: which run, whether the cluster has moved on since it stopped, the
 * inputs it had (secret ones asked for again), then the run carried on from its journal.
 */
import { hasErrors } from '../dsl/diagnostics.js';
import { checkGivenInputs, sameValue } from '../dsl/inputs.js';
import type { Runbook } from '../dsl/types.js';
import { loadRunbook } from '../index.js';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import type { RunState } from '../journal/replay.js';
import { listRuns, readRun } from '../journal/store.js';
import { laterRunsOn } from '../journal/superseded.js';
import { systemPorts } from '../io/system-ports.js';
import { executeRun } from '../runner/run.js';
import { EXIT } from './exit-codes.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { givenInputs, INPUT_ENV_PREFIX, printDiagnostics } from './load.js';
import { inventoryFrom, stateDirFrom } from './paths.js';
import { closePorts, finish, live, reporterFor } from './run.js';

export interface ResumeOptions extends CommonOptions {
  readonly yes: boolean;
  readonly force: boolean;
  readonly rerun: string[];
}

function when(ts: string): string {
  return ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function describeRun(r: RunState): string {
  return `${r.runId} (${r.runbook}, ${r.status}, started ${when(r.startedAt)})`;
}

/**
 * Without a run id: the latest run of the inventory's cluster (else of any cluster). When that run
 * succeeded the cluster has moved on: nothing is resumed, and the older unfinished runs are listed.
 */
async function pickRun(io: CliIo, stateDir: string, options: ResumeOptions): Promise<RunState | number> {
  const runs = await listRuns(stateDir);
  const file = inventoryFrom(options.inventory, io.env, io.cwd);
  let cluster: string | undefined;
  if (file !== undefined) {
    const inv = loadInventory(file);
    printDiagnostics(io, inv.diagnostics);
    if (hasErrors(inv.diagnostics) || inv.value === undefined) return EXIT.invalid;
    cluster = inv.value.cluster;
  }
  cluster ??= runs.find((r) => !r.readOnly || r.status !== 'succeeded')?.cluster;
  // A read-only run that succeeded (a status look) says nothing about what is left to do.
  const ofCluster = runs.filter((r) => r.cluster === cluster && (!r.readOnly || r.status !== 'succeeded'));
  const latest = ofCluster[0];
  if (latest === undefined) {
    say(io, `error: no run to resume in ${stateDir}${cluster === undefined ? '' : ` for cluster ${cluster}`}; list runs with: runbook runs`);
    return EXIT.invalid;
  }
  if (latest.status !== 'succeeded') return latest;
  const older = ofCluster.filter((r) => r.status !== 'succeeded');
  say(io, `the latest run on cluster ${cluster ?? 'local'}, ${describeRun(latest)}, succeeded: nothing to resume`);
  if (older.length > 0) {
    say(io, 'older unfinished runs (the cluster has moved on since; resume one only on purpose: runbook resume RUN_ID --force):');
    for (const r of older) say(io, `  ${describeRun(r)}`);
  }
  return EXIT.ok;
}

/** Refuses (exit 3) a run that a later run on the same cluster superseded, unless --force. */
function superseded(io: CliIo, state: RunState, runs: readonly RunState[], force: boolean): number | undefined {
  const later = laterRunsOn(state, runs);
  if (later.length === 0) return undefined;
  const list = later.map(describeRun).join('; ');
  if (force) {
    say(io, `warning: resuming ${state.runId} although cluster ${state.cluster ?? 'local'} has moved on since (${list}): --force`);
    return undefined;
  }
  say(
    io,
    `refused: run ${state.runId} (${state.runbook}) stopped at ${when(state.lastRecordAt)}; since then cluster ${state.cluster ?? 'local'} was changed by ` +
      `${list}. Resuming would act on the state ${state.runbook} left, not on the cluster as it is now. ` +
      'Look at the cluster (runbook run cluster-status), then resume with --force if it is still right',
  );
  return EXIT.refused;
}

/**
 * The run's inputs again: the journal's, plus the secret ones, which it never holds. A secret the
 * caller gave at the start must be given again; one that came from a default is derived again.
 */
function resumeInputs(
  io: CliIo,
  runbook: Runbook,
  state: RunState,
  pairs: readonly string[],
): { inputs: Record<string, unknown>; given: string[] } | undefined {
  const given = givenInputs(io, runbook, pairs);
  if (given === undefined) return undefined;
  const checked = checkGivenInputs(runbook, given);
  printDiagnostics(io, checked.diagnostics);
  if (hasErrors(checked.diagnostics) || checked.value === undefined) return undefined;
  const values = checked.value;
  const changed = Object.keys(values).filter((k) => !state.secretInputs.includes(k) && !sameValue(values[k], state.inputs[k]));
  if (changed.length > 0) {
    say(io, `error: a resume keeps the inputs the run began with (${changed.map((k) => `${k}=${JSON.stringify(state.inputs[k])}`).join(', ')}); ` +
      `nothing was run. Drop ${changed.map((k) => `--input ${k}=…`).join(' ')}, or start a new run for other values`);
    return undefined;
  }
  const inputs: Record<string, unknown> = { ...state.inputs, ...values };
  const missing: string[] = [];
  const secretsGiven: string[] = [];
  for (const name of state.secretInputs) {
    const decl = runbook.inputs.find((i) => i.name === name);
    // Journals written before given inputs were recorded: a secret without a default must have been given.
    const wasGiven = state.givenInputs?.includes(name) ?? decl?.default === undefined;
    if (wasGiven) secretsGiven.push(name);
    if (Object.hasOwn(values, name)) continue;
    if (wasGiven) missing.push(name);
    else if (decl?.default !== undefined) inputs[name] = structuredClone(decl.default);
  }
  if (missing.length > 0) {
    const them = missing.length === 1 ? 'it' : 'them';
    say(io, `error: run ${state.runId} was given secret input${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which the journal never holds; nothing was run. ` +
      `Give ${them} again: ${missing.map((m) => `--input ${m}=…`).join(' ')} ` +
      `(or set ${missing.map((m) => INPUT_ENV_PREFIX + m).join(', ')} in the environment, which keeps ${them} off the command line)`);
    return undefined;
  }
  return { inputs, given: state.givenInputs === undefined ? secretsGiven : [...state.givenInputs] };
}

export async function resumeCommand(io: CliIo, runIdArg: string | undefined, options: ResumeOptions): Promise<number> {
  const stateDir = stateDirFrom(options.stateDir, io.env, io.cwd);
  let state: RunState;
  let dir: string;
  if (runIdArg === undefined) {
    const picked = await pickRun(io, stateDir, options);
    if (typeof picked === 'number') return picked;
    ({ state, dir } = await readRun(stateDir, picked.runId));
  } else {
    ({ state, dir } = await readRun(stateDir, runIdArg));
    if (state.status === 'succeeded') {
      say(io, `run ${state.runId} already succeeded; nothing to resume`);
      return EXIT.ok;
    }
  }
  const refused = superseded(io, state, await listRuns(stateDir), options.force);
  if (refused !== undefined) return refused;
  const loaded = loadRunbook(state.runbookFile);
  printDiagnostics(io, loaded.diagnostics);
  if (hasErrors(loaded.diagnostics) || loaded.value === undefined) return EXIT.invalid;
  const runbook = loaded.value;
  if (runbook.hash !== state.runbookHash && !options.force) {
    say(io, `error: ${state.runbookFile} changed since run ${state.runId} began; resuming could run a different procedure. ` +
      'Check the change, then resume with --force');
    return EXIT.invalid;
  }
  let inventory: Inventory | undefined;
  const inventoryFile = options.inventory ?? state.inventoryFile;
  if (inventoryFile !== undefined) {
    const inv = loadInventory(inventoryFile);
    printDiagnostics(io, inv.diagnostics);
    if (hasErrors(inv.diagnostics) || inv.value === undefined) return EXIT.invalid;
    inventory = inv.value;
    if (state.inventoryHash !== undefined && inventory.hash !== state.inventoryHash && !options.force) {
      say(io, `error: ${inventoryFile} changed since run ${state.runId} began. Check the change, then resume with --force`);
      return EXIT.invalid;
    }
  }
  const resumed = resumeInputs(io, runbook, state, options.input);
  if (resumed === undefined) return EXIT.invalid;
  const ports = systemPorts(io.stdin, io.stderr);
  const outcome = await executeRun({
    runbook,
    inputs: resumed.inputs,
    givenInputs: resumed.given,
    ...(inventory === undefined ? {} : { inventory }),
    stateDir,
    yes: options.yes,
    ports,
    reporters: [reporterFor(io, options, runbook, inventory, true)],
    signal: io.signal,
    env: io.env,
    resume: { state, dir, rerun: options.rerun },
    ...live(inventory, ports, io.signal),
  }).finally(() => closePorts(ports));
  return finish(io, outcome.status, outcome.runId, outcome.error);
}
