/**
 * `runbook run` and `runbook plan`: load what the command names, call the API, report, pick the exit code.
 */
import { closePorts, parseLimit, plan, run, systemPorts, type Inventory, type Limit, type Reporter, type Runbook } from '../index.js';
import { RunbookError } from '../errors.js';
import { colourWanted } from '../ui/file-diff.js';
import { PlainReporter } from '../ui/plain.js';
import { formatPlan } from '../ui/plan.js';
import { chooseReporter } from '../ui/reporters.js';
import { EXIT, exitForStatus } from './exit-codes.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { inputsFor, loadInventoryFor, loadRunbookFor } from './load.js';
import { printDiagnostics } from './print-diagnostics.js';
import { storeArgument, storeFrom } from './paths.js';

export interface PlanCommandOptions extends CommonOptions {
  /** Diff the files steps would write against the nodes' files (default false). */
  readonly diff?: boolean;
}

export interface RunOptions extends PlanCommandOptions {
  readonly yes: boolean;
  readonly dryRun: boolean;
}

/** Runbook, inventory and inputs, every problem printed; undefined when anything is invalid (exit 2). */
function loadForRun(
  io: CliIo,
  name: string,
  options: CommonOptions,
): { runbook: Runbook; inventory?: Inventory; limit?: Limit; inputs: Record<string, unknown>; given: string[] } | undefined {
  const runbook = loadRunbookFor(io, name, options);
  const inv = loadInventoryFor(io, options);
  if (runbook === undefined || !inv.ok) return undefined;
  const limit = limitFor(io, options.limit, inv.inventory);
  if (limit === null) return undefined;
  const inputs = inputsFor(io, runbook, options.input);
  if (inputs === undefined) return undefined;
  return {
    runbook,
    inputs: inputs.values,
    given: inputs.given,
    ...(inv.inventory === undefined ? {} : { inventory: inv.inventory }),
    ...(limit === undefined ? {} : { limit }),
  };
}

/** `--limit` read against the inventory; null (printed) when it names nothing of it. */
function limitFor(io: CliIo, pattern: string | undefined, inventory: Inventory | undefined): Limit | undefined | null {
  if (pattern === undefined) return undefined;
  try {
    return parseLimit(pattern, inventory);
  } catch (e) {
    if (!(e instanceof RunbookError)) throw e;
    say(io, `error: ${e.message}`);
    return null;
  }
}

export async function planCommand(io: CliIo, name: string, options: PlanCommandOptions): Promise<number> {
  const loaded = loadForRun(io, name, options);
  if (loaded === undefined) return EXIT.invalid;
  const ports = systemPorts(io.stdin, io.stderr);
  const result = await plan({ ...loaded, ports, env: io.env, signal: io.signal, diff: options.diff === true }).finally(() => closePorts(ports));
  io.stdout.write(options.json ? JSON.stringify({ type: 'plan', ...result }) + '\n' : formatPlan(result, { colour: colourWanted(io.stdout, io.env) }));
  printDiagnostics(io, result.problems);
  return result.problems.length > 0 ? EXIT.invalid : EXIT.ok;
}

export async function runCommand(io: CliIo, name: string, options: RunOptions): Promise<number> {
  if (options.dryRun) return planCommand(io, name, options);
  if (options.diff === true) {
    io.stderr.write('error: --diff shows what a plan would change: use it with --dry-run, or run `runbook plan --diff`\n');
    return EXIT.invalid;
  }
  return (await startRun(io, name, options)).code;
}

/**
 * `runbook run` without `--dry-run`, giving also the run's id: none when nothing ran (invalid input).
 * `resumable: false` (a drill whose lab goes away) leaves out the hint to resume.
 */
export async function startRun(
  io: CliIo,
  name: string,
  options: CommonOptions & { readonly yes: boolean; readonly resumable?: boolean },
): Promise<{ code: number; runId?: string }> {
  const loaded = loadForRun(io, name, options);
  if (loaded === undefined) return { code: EXIT.invalid };
  const { runbook, inventory, given } = loaded;
  const store = await storeFrom(io, options);
  const ports = systemPorts(io.stdin, io.stderr);
  const outcome = await run({
    ...loaded,
    givenInputs: given,
    store,
    yes: options.yes,
    ports,
    reporters: [reporterFor(io, options, runbook, inventory, false)],
    signal: io.signal,
    env: io.env,
  }).finally(() => Promise.all([closePorts(ports), store.close()]));
  const resumeWith = options.resumable === false ? null : storeArgument(options, store);
  return { code: finish(io, outcome.status, outcome.runId, outcome.error, resumeWith), runId: outcome.runId };
}

/**
 * listr2 redraws the terminal and would hide a question asked mid-run, so a run that may ask
 * reports in plain lines: gates without --yes, a resume that may ask about a cut-off step, and
 * steps that ask a person whatever --yes says (`manual`, power switched by hand). A sub-runbook may
 * hold any of these.
 */
function mayAsk(runbook: Runbook, inventory: Inventory | undefined, yes: boolean): boolean {
  const byHand = inventory?.nodes.some((n) => n.power.on === 'manual' || n.power.off === 'manual') === true;
  if (!yes && (runbook.confirm !== undefined || runbook.steps.some((s) => s.confirm !== undefined))) return true;
  return runbook.steps.some((s) => s.action === 'manual' || s.action === 'runbook' || (byHand && s.action.startsWith('power.')));
}

export function reporterFor(io: CliIo, options: CommonOptions & { yes: boolean }, runbook: Runbook, inventory: Inventory | undefined, resuming: boolean): Reporter {
  const asks = resuming || mayAsk(runbook, inventory, options.yes);
  if (asks && !options.json && io.stdin.isTTY === true) return new PlainReporter(io.stderr);
  return chooseReporter({ json: options.json, out: options.json ? io.stdout : io.stderr, env: io.env });
}

/**
 * The end of a run for the operator: how it ended, how to go on, and the exit code. `resumeWith` is added to
 * the resume hint; null leaves the hint out (the run cannot be resumed).
 */
export function finish(io: CliIo, status: Parameters<typeof exitForStatus>[0], runId: string, error: Error | undefined, resumeWith: string | null = ''): number {
  if (status === 'failed' || status === 'interrupted') {
    const hint = resumeWith === null ? '' : `; continue it with: runbook resume ${runId}${resumeWith}`;
    say(io, `run ${runId} ${status}${error === undefined ? '' : `: ${error.message}`}${hint}`);
  } else if (status === 'refused' && error !== undefined) {
    say(io, `refused: ${error.message}`);
  }
  return exitForStatus(status);
}
