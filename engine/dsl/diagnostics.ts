/**
 * User mistakes are data: every loader and rule returns diagnostics instead of throwing.
 * The CLI prints them as `file:line:col: error CODE: message` and exits 2.
 */

import { RunbookError, type SourceRef } from '../errors.js';

/** Where something was written: 1-based line and column. */
export type { SourceRef };

/** Every diagnostic code the project emits. */
export type DiagnosticCode =
  | 'RB_YAML_SYNTAX'
  | 'RB_DUPLICATE_KEY'
  | 'RB_ALIAS_LIMIT'
  | 'RB_EMPTY_FILE'
  | 'RB_NOT_A_MAPPING'
  | 'RB_UNKNOWN_KEY'
  | 'RB_MISSING_KEY'
  | 'RB_WRONG_TYPE'
  | 'RB_BAD_VALUE'
  | 'RB_BAD_ID'
  | 'RB_DUPLICATE_ID'
  | 'RB_UNKNOWN_ACTION'
  | 'RB_ACTION_WITH'
  | 'RB_UNKNOWN_NEEDS'
  | 'RB_SELF_NEEDS'
  | 'RB_CYCLE'
  | 'RB_BAD_DURATION'
  | 'RB_UNKNOWN_INPUT_TYPE'
  | 'RB_BAD_FOREACH'
  | 'RB_EXPR_SYNTAX'
  | 'RB_EXPR_UNKNOWN_INPUT'
  | 'RB_EXPR_UNKNOWN_STEP'
  | 'RB_EXPR_UNKNOWN_NAME'
  | 'RB_INPUT_MISSING'
  | 'RB_INPUT_TYPE'
  | 'RB_INPUT_UNKNOWN'
  | 'RB_INV_MISSING_ADDRESS'
  | 'RB_INV_DUPLICATE_NODE'
  | 'RB_INV_UNKNOWN_ROLE'
  | 'RB_INV_UNKNOWN_NODE'
  | 'RB_INV_ANSIBLE_SYNTAX'
  | 'RB_INV_ANSIBLE_GROUP'
  | 'RB_INV_ANSIBLE_ROLE'
  | 'RB_INV_ANSIBLE_VAR'
  | 'RB_INV_PLAIN_TCP'
  | 'RB_UNKNOWN_TARGET'
  | 'RB_FILE_NOT_FOUND'
  | 'RB_UNKNOWN_RUNBOOK'
  | 'RB_EXPR_NOT_NEEDED'
  | 'RB_EXPR_EVAL'
  | 'RB_PLAN_ASSERT';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** What to write instead; printed after the message. */
  readonly hint?: string;
  readonly source: SourceRef;
}

export interface Loaded<T> {
  /** Present only when there are no errors. */
  readonly value?: T;
  readonly diagnostics: readonly Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function diagnostic(
  code: DiagnosticCode,
  source: SourceRef,
  message: string,
  hint?: string,
): Diagnostic {
  return hint === undefined
    ? { code, severity: 'error', message, source }
    : { code, severity: 'error', message, hint, source };
}

/** Loading failed with these diagnostics: the caller prints them (with their source lines) and exits 2. */
export class DiagnosticsError extends RunbookError {
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super('INVALID', message);
  }
}
