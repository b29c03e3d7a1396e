/**
 * The resolved form of a runbook: what `normalize` produces from the YAML a user wrote.
 * Every later stage (graph, plan, runner) works on these types only.
 */
import type { SourceRef } from './diagnostics.js';
import type { FailureLimit } from './failure-limit.js';

/** A step id as written in the runbook: `[a-z0-9-]+`, unique within the runbook. */
export type StepId = string & { readonly __brand: 'StepId' };

/** The value types an input may declare. */
export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/** One declared input. `secret` inputs are masked everywhere and never journaled. */
export interface InputDecl {
  readonly name: string;
  readonly type: InputType;
  readonly required: boolean;
  /** Used when the caller gives no value; absent means "no default". */
  readonly default?: unknown;
  readonly secret: boolean;
  readonly description?: string;
  /** Allowed values, when the input is an enumeration. */
  readonly enum?: readonly unknown[];
  readonly source: SourceRef;
}

/** Retry policy of a step: `attempts` counts the first try; the delay grows by `backoff` each time. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly delayMs: number;
  readonly backoff: number;
}

/**
 * A read-only probe run before a step: when it reports satisfied, the step is skipped.
 * - `expression`: a `${{ }}` expression; truthy means satisfied.
 * - `action`: a probe action (its `with` may hold expressions); satisfied when it succeeds and,
 *   if given, `satisfied` (an expression over `result`) is truthy. Commands in a probe are declared
 *   read-only, so `plan` runs them too.
 */
export type StepCheck =
  | { readonly type: 'expression'; readonly expression: string; readonly source: SourceRef }
  | {
      readonly type: 'action';
      readonly action: string;
      readonly with: Readonly<Record<string, unknown>>;
      readonly on?: unknown;
      readonly satisfied?: string;
      readonly source: SourceRef;
    };

/** One step of the graph, as resolved from the DSL. Values may still hold `${{ }}` expressions. */
export interface Step {
  readonly id: StepId;
  readonly name?: string;
  readonly description?: string;
  readonly action: string;
  readonly with: Readonly<Record<string, unknown>>;
  /** Where the step runs: `local` (default), `manager`, `leader`, node/group names, a list, or an expression. */
  readonly on?: unknown;
  readonly needs: readonly StepId[];
  readonly when?: string;
  /** A list literal or an expression giving a list; each element becomes an instance `id[key]`. */
  readonly foreach?: unknown;
  /** At most this many instances (foreach elements or targets) at once. */
  readonly concurrency?: number;
  /** Failed instances tolerated: a count, or a share of the step's instances (`failure-limit.ts`). */
  readonly maxFailures?: FailureLimit;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
  readonly continueOnError: boolean;
  readonly confirm?: string;
  readonly check?: StepCheck;
  /** Output name → expression over `result` (the action's result). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Output names (of the action's result or of `outputs`) that are secret: masked, never journaled. */
  readonly secretOutputs: readonly string[];
  /** Lets the quorum guard pass a step that would lose the Raft majority. */
  readonly allowQuorumLoss: boolean;
  readonly source: SourceRef;
}

/** A whole runbook. */
export interface Runbook {
  readonly name: string;
  readonly description?: string;
  readonly confirm?: string;
  /** `runbook drill`'s preparation: the runbook it runs first, as written. */
  readonly drill?: { readonly prepare?: string };
  readonly inputs: readonly InputDecl[];
  /** Environment variables expressions may read as `env.NAME`. */
  readonly env: readonly string[];
  readonly steps: readonly Step[];
  /** Absolute path of the file it came from. */
  readonly file: string;
  /** sha256 of the file's bytes: resume refuses when it changed. */
  readonly hash: string;
}
