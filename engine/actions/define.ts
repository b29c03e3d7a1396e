/**
 * The action interface. One action per file, registered in `actions/index.ts`.
 * Actions never import zx, ssh2 or dockerode: everything they touch comes through `ActionContext`.
 */
import type { JSONSchemaType } from 'ajv';
import type { EffectKind } from '../graph/quorum-admission.js';
import type { Inventory, InventoryNode } from '../inventory/types.js';
import type { ClockPort, DockerPort, PromptPort, ShellPort, SshPort } from '../io/ports.js';

/** Where one instance of a step runs. */
export type Target =
  | { readonly type: 'local' }
  | { readonly type: 'node'; readonly node: InventoryNode };

/** `run` executes; `plan` may only read (the ports it gets refuse writes). */
export type ActionMode = 'run' | 'plan';

export interface Ports {
  readonly shell: ShellPort;
  readonly clock: ClockPort;
  readonly prompt: PromptPort;
  readonly ssh: SshPort;
  /** The Docker Engine API of any node; in plan mode it refuses every call that is not GET or HEAD. */
  readonly docker: DockerPort;
}

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
  /** Interpolates `${{ }}` in a late field's value (deeply), in the step's context; `shell` quotes each value. */
  interpolate(value: unknown, options?: { readonly shell?: boolean }): unknown;
  /** A progress line for the operator (masked before it is shown). */
  log(stream: 'stdout' | 'stderr' | 'info', line: string): void;
}

/** One line of a plan: what the step would do, and the exact command or API call. */
export interface PlanLine {
  readonly summary: string;
  /** The exact command line or HTTP call, e.g. `POST /nodes/abc/update?version=12`. */
  readonly call?: string;
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

export interface ActionDefinition<W = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of `with`, checked at validation time (expressions stand in for any type). */
  readonly with: JSONSchemaType<W> | Record<string, unknown>;
  /**
   * `with` fields the runner passes as written, `${{ }}` included: the action evaluates them itself, later
   * or again and again, with `ctx.evaluate` or `ctx.interpolate`.
   */
  readonly lateFields?: readonly string[];
  /** Those of the `lateFields` evaluated after the action looked at live state: `result` is in scope there (validation knows it). */
  readonly resultFields?: readonly string[];
  /** `with` fields holding shell command lines: values interpolated into them are shell-quoted. */
  readonly shellFields?: readonly string[];
  /** Changes the world; refused in plan mode. */
  readonly mutating: boolean;
  /** Safe to run again after an interruption with no probe to ask first. */
  readonly idempotent: boolean;
  /** Result fields that are credentials (a join token): always masked and never journaled, as if the step listed them in `secret_outputs`. */
  readonly secretOutputs?: readonly string[];
  /**
   * A quick read of live state — no waiting, no files written: `plan` runs it (with ports that refuse
   * writes) to learn its outputs, so the steps after it are planned with real values. A function decides
   * from `with` (`ssh.run` with `read_only: true`).
   */
  readonly planReads?: boolean | ((args: W) => boolean);
  /** When the plan's read of it fails, the run would stop there (`assert`): the plan says it cannot go past it. */
  readonly decidesRun?: boolean;
  /** Where the action runs when the step has no `on:`. */
  readonly defaultTarget: 'local' | 'manager';
  plan(args: W, ctx: ActionContext): PlanLine[] | Promise<PlanLine[]>;
  /** Read-only: is the desired state already there? */
  check?(args: W, ctx: ActionContext): Promise<CheckResult>;
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

/** Does a call of `action` with `args` only read? Non-mutating actions, and mutating ones whose `planReads` says so. */
export function onlyReads<W>(action: ActionDefinition<W>, args: W): boolean {
  return !action.mutating || (typeof action.planReads === 'function' ? action.planReads(args) : action.planReads === true);
}

/** Identity function that keeps the action's `with` type checked against its implementation. */
export function defineAction<W>(definition: ActionDefinition<W>): ActionDefinition<W> {
  return definition;
}
