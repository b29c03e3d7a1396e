/**
 * `run`: a runbook executed through the API, journaled in the caller's run store, events to the caller's reporters.
 */
import { createLiveResolver } from '../runner/live-targets.js';
import { executeRun, type RunOutcome, type RunRequest } from '../runner/run.js';

/**
 * What `run` needs: the runner's request without what the API supplies (`on: manager` from live state,
 * resume state), and with `yes`, reporters, signal and environment optional (no, none, never, empty).
 */
export type RunOptions = Omit<RunRequest, 'live' | 'resume' | 'yes' | 'reporters' | 'signal' | 'env'> &
  Partial<Pick<RunRequest, 'yes' | 'reporters' | 'signal' | 'env'>>;

export function run(options: RunOptions): Promise<RunOutcome> {
  const signal = options.signal ?? new AbortController().signal;
  return executeRun({
    runbook: options.runbook,
    inputs: options.inputs,
    ...(options.givenInputs === undefined ? {} : { givenInputs: options.givenInputs }),
    ...(options.inventory === undefined ? {} : { inventory: options.inventory, live: createLiveResolver(options.inventory, options.ports.docker, signal) }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    store: options.store,
    yes: options.yes ?? false,
    ports: options.ports,
    reporters: options.reporters ?? [],
    signal,
    env: options.env ?? {},
  });
}
