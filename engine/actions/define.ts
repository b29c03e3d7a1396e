/**
 * The action interface. One action per file (or one definition for a pair, such as power on and off),
 * registered in `actions/index.ts`. Actions never import zx, ssh2 or docker-modem: everything they touch
 * comes through `ActionContext`.
 */
import type { ActionDescriptor } from '../dsl/action-descriptor.js';
import type { EffectKind } from '../graph/quorum-admission.js';
import type { Inventory } from '../inventory/types.js';
import type { Ports, Target } from '../io/ports.js';

export type { ActionDescriptor } from '../dsl/action-descriptor.js';
export { onlyReads } from '../dsl/action-descriptor.js';

/** `run` executes; `plan` may only read (the ports it gets refuse writes). */
export type ActionMode = 'run' | 'plan';

export interface ActionContext {
  readonly mode: ActionMode;
  readonly target: Target;
  readonly signal: AbortSignal;
  readonly ports: Ports;
  readonly inventory?: Inventory;
  /** The run's directory (0700): where actions keep snapshots and archives. */
  readonly runDir: string;
  /** The directory of the runbook file: relative paths in `with` (scripts, compose files) start here. */
  readonly baseDir: string;
  /** The step says `allow_quorum_loss: true`: the quorum guard lets it pass. */
  readonly allowQuorumLoss: boolean;
  /**
   * Evaluates one of the action's `lateFields` (a `${{ }}` expression) in the step's context, plus
   * `extra` (e.g. `{ result }` after each poll).
   */
  evaluate(expression: string, extra?: Readonly<Record<string, unknown>>): unknown;
  /**
   * Interpolates `${{ }}` in a late field's value (deeply), in the step's context plus `extra`; `shell` quotes
   * each value.
   */
  interpolate(value: unknown, options?: { readonly shell?: boolean; readonly extra?: Readonly<Record<string, unknown>> }): unknown;
  /** A progress line for the operator (masked before it is shown). */
  log(stream: 'stdout' | 'stderr' | 'info', line: string): void;
  /** Another action of the catalogue by name, for an action that runs one as its probe (wait.until). */
  action(name: string): ActionDefinition | undefined;
}

/** One line of a plan: what the step would do, and the exact command or API call. */
export interface PlanLine {
  readonly summary: string;
  /** The exact command line or HTTP call, e.g. `POST /nodes/abc/update?version=12`. */
  readonly call?: string;
}

/** A file as it is on a node, or as a step would leave it. */
export interface FileState {
  readonly content: string;
  /** Four octal digits, e.g. `0644`. */
  readonly mode: string;
  /** The user owning it. */
  readonly owner: string;
}

/**
 * What a step would do to one file, read now through ports that refuse writes: `plan --diff` shows it.
 * `after` equals `before` when the run would leave the file alone.
 */
export interface FileChange {
  readonly path: string;
  /** Absent when there is no file yet. */
  readonly before?: FileState;
  readonly after: FileState;
}

/** Outcome of a read-only probe. */
export interface CheckResult {
  readonly satisfied: boolean;
  readonly detail?: string;
}

export type ActionResult = Readonly<Record<string, unknown>>;

/**
 * What an instance does to a node's Raft vote: the runner's quorum gate judges it, with everything
 * else in flight, before the instance acts. `node` is an inventory name, a hostname or a swarm node ID.
 */
export interface QuorumEffect {
  readonly node: string;
  readonly kind: EffectKind;
}

/** The code of an action: what it would do, whether it is done, and doing it. */
export interface ActionImplementation<W = Record<string, unknown>> {
  plan(args: W, ctx: ActionContext): PlanLine[] | Promise<PlanLine[]>;
  /** Read-only: is the desired state already there? */
  check?(args: W, ctx: ActionContext): Promise<CheckResult>;
  /** Read-only: the files the instance would write, as they are now and as it would leave them (`plan --diff`). */
  planFiles?(args: W, ctx: ActionContext): Promise<readonly FileChange[]>;
  /**
   * The vote the instance takes away, if any (a worker's stop is judged too: live state decides who
   * is a manager). Pure: from `with` and the target alone.
   */
  quorumEffect?(args: W, target: Target): QuorumEffect | undefined;
  /** The node the instance switches on (power on): a stop this run made of it no longer counts. */
  startsNode?(args: W, target: Target): string | undefined;
  /**
   * Read-only safety guard, asked right before `run` (after `check`), from live state: throws
   * RunbookError('GUARD_REFUSED') when the step must not run (e.g. it would lose the Raft quorum).
   * The run then stops with exit code 3 and the step is recorded as refused, not started.
   */
  guard?(args: W, ctx: ActionContext): Promise<void>;
  run(args: W, ctx: ActionContext): Promise<ActionResult>;
}

/** An action as the runner holds it: its descriptor and its implementation. */
export type ActionDefinition<W = Record<string, unknown>> = ActionDescriptor<W> & ActionImplementation<W>;

/**
 * One action from its two halves, written apart in its file: the descriptor (what validation and the plan
 * read) and the implementation. The `with` type is checked against both.
 */
export function defineAction<W>(descriptor: ActionDescriptor<W>, implementation: ActionImplementation<W>): ActionDefinition<W> {
  return { ...descriptor, ...implementation };
}
