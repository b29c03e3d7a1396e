/**
 * `plan`: the dry-run of a runbook through the API. The caller's ports are wrapped so that nothing can
 * write: actions plan with ports that refuse writes, and only declared read-only probes run.
 */
import type { Runbook } from '../dsl/types.js';
import type { Limit } from '../inventory/limit.js';
import type { Inventory } from '../inventory/types.js';
import type { Ports } from '../io/ports.js';
import { probePorts, readOnlyPorts } from '../io/read-only.js';
import { planRun, type Plan } from '../runner/dry-run.js';
import { createLiveResolver } from '../runner/live-targets.js';

export interface PlanOptions {
  readonly runbook: Runbook;
  /** Resolved inputs (`resolveInputs`); secret ones are masked in the plan. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly inventory?: Inventory;
  /** `--limit` (`parseLimit`): instances on or about other nodes are shown skipped. */
  readonly limit?: Limit;
  /** The real ports: the plan wraps them itself. */
  readonly ports: Ports;
  readonly signal?: AbortSignal;
  /** The environment runbooks' `env:` lists may read (default: none). */
  readonly env?: NodeJS.ProcessEnv;
  /** Diff each file a step would write (`ssh.file`) against the node's file, read read-only (default false). */
  readonly diff?: boolean;
}

/** The plan, with `problems` (at `file:line:col`) when the run could not go through with these inputs. */
export function plan(options: PlanOptions): Promise<Plan> {
  const signal = options.signal ?? new AbortController().signal;
  const readOnly = readOnlyPorts(options.ports);
  return planRun({
    runbook: options.runbook,
    inputs: options.inputs,
    ...(options.inventory === undefined ? {} : { inventory: options.inventory, live: createLiveResolver(options.inventory, readOnly.docker, signal) }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    readOnlyPorts: readOnly,
    probePorts: probePorts(options.ports),
    env: options.env ?? {},
    signal,
    diff: options.diff === true,
  });
}
