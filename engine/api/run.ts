/**
 * `run`: a runbook executed through the API, journaled under `stateDir`, events to the caller's reporters.
 */
import type { Runbook } from '../dsl/types.js';
import type { Inventory } from '../inventory/types.js';
import type { Ports } from '../io/ports.js';
import type { Reporter } from '../runner/events.js';
import { createLiveResolver } from '../runner/live-targets.js';
import { executeRun, type RunOutcome } from '../runner/run.js';

export interface RunOptions {
  readonly runbook: Runbook;
  /** Resolved inputs, secrets included (they are masked before anything is written). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Names of the inputs the caller gave: a resume asks again for the secret ones among them. */
  readonly givenInputs?: readonly string[];
  readonly inventory?: Inventory;
  /** Where runs are journaled (the CLI's `.runbook/`). */
  readonly stateDir: string;
  /** Answers confirmation gates with yes. */
  readonly yes?: boolean;
  readonly ports: Ports;
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

export function run(options: RunOptions): Promise<RunOutcome> {
  const signal = options.signal ?? new AbortController().signal;
  return executeRun({
    runbook: options.runbook,
    inputs: options.inputs,
    ...(options.givenInputs === undefined ? {} : { givenInputs: options.givenInputs }),
    ...(options.inventory === undefined ? {} : { inventory: options.inventory, live: createLiveResolver(options.inventory, options.ports.docker, signal) }),
    stateDir: options.stateDir,
    yes: options.yes ?? false,
    ports: options.ports,
    reporters: options.reporters ?? [],
    signal,
    env: options.env ?? {},
  });
}
