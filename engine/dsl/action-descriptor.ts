/**
 * What an action is, apart from the code that runs it: its name, the JSON Schema of its `with`, which
 * fields it evaluates itself, whether it changes anything. Validation reads only this, from a catalogue
 * it is given; the runner and the plan read it too.
 */
import type { JSONSchemaType } from 'ajv';

export interface ActionDescriptor<W = Record<string, unknown>> {
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
}

/** The actions a runbook may name, by name: what validation checks steps against. */
export type ActionCatalogue = ReadonlyMap<string, ActionDescriptor<Record<string, unknown>>>;

/** Does a call with `args` only read? Non-mutating actions, and mutating ones whose `planReads` says so. */
export function onlyReads<W>(action: ActionDescriptor<W>, args: W): boolean {
  return !action.mutating || (typeof action.planReads === 'function' ? action.planReads(args) : action.planReads === true);
}
