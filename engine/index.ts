/**
 * The engine's public API: load and validate runbooks, plan, run and resume them, list and show runs.
 * The command line is a thin layer over these; so is the benchmark. See docs/api.md.
 */
import { actionDescriptors } from './actions/index.js';
import type { ActionCatalogue } from './dsl/action-descriptor.js';
import type { Loaded } from './dsl/diagnostics.js';
import type { Runbook } from './dsl/types.js';
import { loadRunbook as loadWith } from './dsl/validate.js';

export type { Diagnostic, Loaded } from './dsl/diagnostics.js';
export type { Runbook } from './dsl/types.js';
export { actionDescriptors };

/**
 * Reads and validates a runbook against the built-in actions (or `actions`). Problems come back as
 * diagnostics with `file:line:col`; the runbook only when there is no error.
 */
export function loadRunbook(file: string, options: { readonly text?: string; readonly actions?: ActionCatalogue } = {}): Loaded<Runbook> {
  return loadWith(file, { actions: options.actions ?? actionDescriptors, ...(options.text === undefined ? {} : { text: options.text }) });
}
