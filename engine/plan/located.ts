/**
 * An expression that fails while a run (or a plan) evaluates it fails on the run's data — an input
 * naming a stack the inventory does not have, an empty list indexed — not on a bug. Such a failure
 * becomes an EXPRESSION error that says where the expression is written (`file:line:col`), in which
 * step and field, and what was missing: the step fails (resumable), a plan exits 2.
 */
import type { DiagnosticCode } from '../dsl/diagnostics.js';
import type { DataPath } from '../dsl/positions.js';
import type { Runbook, Step } from '../dsl/types.js';
import { describeSource, positionIn } from '../dsl/locate.js';
import { RunbookError } from '../errors.js';
import { ExpressionError } from '../expr/errors.js';

/** Which runbook (and step) an expression belongs to; `prefix` is a sub-runbook's step prefix. */
export interface Where {
  readonly runbook: Runbook;
  readonly step?: Step;
  readonly prefix: string;
}

/** An EXPRESSION error; `bare` is the message without the position, for diagnostics that print it apart. */
export class ExpressionFailure extends RunbookError {
  constructor(
    message: string,
    readonly bare: string,
    source: RunbookError['source'],
    /** How a plan reports it. */
    readonly diagnosticCode: Extract<DiagnosticCode, 'RB_EXPR_EVAL' | 'RB_UNKNOWN_TARGET'> = 'RB_EXPR_EVAL',
  ) {
    super('EXPRESSION', message, source === undefined ? {} : { source });
  }
}

export function expressionFailure(where: Where, field: DataPath, e: ExpressionError): ExpressionFailure {
  return failureAt(where, [...field, ...e.path], e.message, e.offset ?? 0);
}

/** A problem with the value written at `field` of the step (or runbook), reported where it is written. */
export function failureAt(
  where: Where,
  field: DataPath,
  message: string,
  offset = 0,
  code: ExpressionFailure['diagnosticCode'] = 'RB_EXPR_EVAL',
): ExpressionFailure {
  const index = where.step === undefined ? -1 : where.runbook.steps.indexOf(where.step);
  const path = index === -1 ? field : ['steps', index, ...field];
  const source = positionIn(where.runbook.file, path, offset);
  const label = field.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
  const what = where.step === undefined ? `runbook ${where.runbook.name}` : `step "${where.prefix}${where.step.id}"`;
  const bare = `${what} ${label}: ${message}`;
  return new ExpressionFailure(`${describeSource(source)}: ${bare}`, bare, source, code);
}

/** Runs `fn`; an ExpressionError it throws is reported at `field` of the step. */
export function located<T>(where: Where, field: DataPath, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof ExpressionError ? expressionFailure(where, field, e) : e;
  }
}

export async function locatedAsync<T>(where: Where, field: DataPath, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof ExpressionError ? expressionFailure(where, field, e) : e;
  }
}

/** The `with` field that holds exactly `expression` (a late field an action evaluates itself), if one does. */
export function fieldHolding(step: Step, expression: unknown): DataPath {
  const key = Object.entries(step.with).find(([, v]) => v === expression)?.[0];
  return key === undefined ? ['with'] : ['with', key];
}
