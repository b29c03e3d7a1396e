/**
 * `resume`: which run, whether the cluster has moved on since it stopped, the runbook and inventory it
 * began with (unchanged, unless forced), the inputs it had — secret ones given again — then the run
 * carried on from its journal. Every refusal happens before anything runs.
 */
import type { ActionCatalogue } from '../dsl/action-descriptor.js';
import { DiagnosticsError, hasErrors, type Diagnostic } from '../dsl/diagnostics.js';
import { checkGivenInputs, INPUT_ENV_PREFIX, inputsFromEnvironment, sameValue } from '../dsl/inputs.js';
import type { Runbook } from '../dsl/types.js';
import { loadRunbook } from '../dsl/validate.js';
import { RunbookError } from '../errors.js';
import { parseLimit } from '../inventory/limit.js';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import type { Ports } from '../io/ports.js';
import type { RunState } from '../journal/replay.js';
import type { RunHeader, RunStore } from '../journal/run-store.js';
import { laterRunsOn } from '../journal/superseded.js';
import type { Reporter } from '../runner/events.js';
import { createLiveResolver } from '../runner/live-targets.js';
import { executeRun, type RunOutcome } from '../runner/run.js';

export interface ResumeOptions {
  /** Where the run's journal is; the resumed run goes on in the same store. */
  readonly store: RunStore;
  /** The run to resume; else the latest run of `cluster` (else of any cluster). */
  readonly runId?: string;
  readonly cluster?: string;
  /**
   * Inputs given now, as text (`--input` pairs): the secret ones the journal never holds. `RUNBOOK_INPUT_<name>`
   * variables of `env` give them too; `given` wins.
   */
  readonly given?: Readonly<Record<string, string>>;
  /** The inventory file to use instead of the one the run began with. */
  readonly inventoryFile?: string;
  /** `--limit` for the rest of the run; else the one the run was last started with. */
  readonly limit?: string;
  /** Resume although the runbook or inventory changed, or a later run changed the cluster. */
  readonly force?: boolean;
  /** Step or instance ids allowed to run again although they may have partly run. */
  readonly rerun?: readonly string[];
  readonly yes?: boolean;
  readonly ports: Ports;
  /** The reporters for the resumed run, chosen once its runbook and inventory are known. */
  readonly reporters?: (runbook: Runbook, inventory: Inventory | undefined) => readonly Reporter[];
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  readonly actions: ActionCatalogue;
  /** Told before the run goes on despite a reason to stop (`force`). */
  readonly warn?: (line: string) => void;
}

export type ResumeResult =
  | { readonly type: 'resumed'; readonly outcome: RunOutcome }
  /** Nothing to resume: the run (or the cluster's latest) succeeded; `older` are unfinished runs before it. */
  | { readonly type: 'nothing'; readonly latest: RunHeader; readonly older: readonly RunHeader[] };

function when(ts: string): string {
  return ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function describeRun(r: RunHeader): string {
  return `${r.runId} (${r.runbook}, ${r.status}, started ${when(r.startedAt)})`;
}

/** Without a run id: the latest run of the cluster. A successful read-only run says nothing of what is left to do. */
async function latestOf(store: RunStore, cluster: string | undefined): Promise<{ latest: RunHeader; older: RunHeader[] }> {
  const runs = await store.list();
  const wanted = cluster ?? runs.find((r) => !r.readOnly || r.status !== 'succeeded')?.cluster;
  const ofCluster = runs.filter((r) => r.cluster === wanted && (!r.readOnly || r.status !== 'succeeded'));
  const latest = ofCluster[0];
  if (latest === undefined) {
    throw new RunbookError('NOT_FOUND', `no run to resume in ${store.label}${wanted === undefined ? '' : ` for cluster ${wanted}`}; list runs with: runbook runs`);
  }
  return { latest, older: ofCluster.filter((r) => r.status !== 'succeeded' && r !== latest) };
}

/** Refuses a run that a later run on the same cluster superseded, unless forced (then a warning). */
function superseded(state: RunState, runs: readonly RunHeader[], force: boolean, warn: (line: string) => void): void {
  const later = laterRunsOn(state, runs);
  if (later.length === 0) return;
  const list = later.map(describeRun).join('; ');
  if (force) {
    warn(`resuming ${state.runId} although cluster ${state.cluster ?? 'local'} has moved on since (${list}): --force`);
    return;
  }
  throw new RunbookError(
    'SUPERSEDED',
    `run ${state.runId} (${state.runbook}) stopped at ${when(state.lastRecordAt)}; since then cluster ${state.cluster ?? 'local'} was changed by ` +
      `${list}. Resuming would act on the state ${state.runbook} left, not on the cluster as it is now. ` +
      'Look at the cluster (runbook run cluster-status), then resume with --force if it is still right',
  );
}

function orThrow<T>(loaded: { value?: T; diagnostics: readonly Diagnostic[] }, message: string): T {
  if (hasErrors(loaded.diagnostics) || loaded.value === undefined) throw new DiagnosticsError(message, loaded.diagnostics);
  return loaded.value;
}

/**
 * The run's inputs again: the journal's, plus the secret ones, which it never holds. A secret the caller
 * gave at the start must be given again; one that came from a default is derived again.
 */
function resumeInputs(runbook: Runbook, state: RunState, given: Readonly<Record<string, string>>): { inputs: Record<string, unknown>; given: string[] } {
  const values = orThrow(checkGivenInputs(runbook, given), 'invalid inputs');
  const changed = Object.keys(values).filter((k) => !state.secretInputs.includes(k) && !sameValue(values[k], state.inputs[k]));
  if (changed.length > 0) {
    throw new RunbookError(
      'INVALID',
      `a resume keeps the inputs the run began with (${changed.map((k) => `${k}=${JSON.stringify(state.inputs[k])}`).join(', ')}); ` +
        `nothing was run. Drop ${changed.map((k) => `--input ${k}=…`).join(' ')}, or start a new run for other values`,
    );
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
    throw new RunbookError(
      'INVALID',
      `run ${state.runId} was given secret input${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which the journal never holds; nothing was run. ` +
        `Give ${them} again: ${missing.map((m) => `--input ${m}=…`).join(' ')} ` +
        `(or set ${missing.map((m) => INPUT_ENV_PREFIX + m).join(', ')} in the environment, which keeps ${them} off the command line)`,
    );
  }
  return { inputs, given: state.givenInputs === undefined ? secretsGiven : [...state.givenInputs] };
}

export async function resume(options: ResumeOptions): Promise<ResumeResult> {
  const { store } = options;
  const force = options.force === true;
  let runId = options.runId;
  if (runId === undefined) {
    const { latest, older } = await latestOf(store, options.cluster);
    if (latest.status === 'succeeded') return { type: 'nothing', latest, older };
    runId = latest.runId;
  }
  const { state } = await store.read(runId);
  if (state.status === 'succeeded') return { type: 'nothing', latest: state, older: [] };
  superseded(state, await store.list(), force, options.warn ?? (() => undefined));
  const runbook = orThrow(loadRunbook(state.runbookFile, { actions: options.actions }), `${state.runbookFile} is invalid`);
  if (runbook.hash !== state.runbookHash && !force) {
    throw new RunbookError('CHANGED', `${state.runbookFile} changed since run ${state.runId} began; resuming could run a different procedure. Check the change, then resume with --force`);
  }
  let inventory: Inventory | undefined;
  const inventoryFile = options.inventoryFile ?? state.inventoryFile;
  if (inventoryFile !== undefined) {
    inventory = orThrow(loadInventory(inventoryFile), `${inventoryFile} is invalid`);
    if (state.inventoryHash !== undefined && inventory.hash !== state.inventoryHash && !force) {
      throw new RunbookError('CHANGED', `${inventoryFile} changed since run ${state.runId} began. Check the change, then resume with --force`);
    }
  }
  const resumed = resumeInputs(runbook, state, { ...inputsFromEnvironment(runbook, options.env ?? {}), ...options.given });
  // The limit goes on with the run: a resume touches no node the run was kept away from, unless told anew.
  const pattern = options.limit ?? state.limit;
  const limit = pattern === undefined ? undefined : parseLimit(pattern, inventory);
  const signal = options.signal ?? new AbortController().signal;
  const outcome = await executeRun({
    runbook,
    inputs: resumed.inputs,
    givenInputs: resumed.given,
    ...(inventory === undefined ? {} : { inventory, live: createLiveResolver(inventory, options.ports.docker, signal) }),
    ...(limit === undefined ? {} : { limit }),
    store,
    yes: options.yes ?? false,
    ports: options.ports,
    reporters: options.reporters?.(runbook, inventory) ?? [],
    signal,
    env: options.env ?? {},
    resume: { state, rerun: options.rerun ?? [] },
  });
  return { type: 'resumed', outcome };
}
