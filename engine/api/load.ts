/**
 * Loading through the API: runbooks checked against the built-in actions unless told otherwise,
 * inventories, inputs, and several files validated at once.
 */
import { actionDescriptors } from '../actions/index.js';
import type { ActionCatalogue } from '../dsl/action-descriptor.js';
import type { Diagnostic, Loaded } from '../dsl/diagnostics.js';
import type { Runbook } from '../dsl/types.js';
import { loadRunbook as loadWith } from '../dsl/validate.js';
import { loadInventory } from '../inventory/load.js';

/**
 * Reads and validates a runbook against the built-in actions (or `actions`). Problems come back as
 * diagnostics with `file:line:col`; the runbook only when there is no error.
 */
export function loadRunbook(file: string, options: { readonly text?: string; readonly actions?: ActionCatalogue } = {}): Loaded<Runbook> {
  return loadWith(file, { actions: options.actions ?? actionDescriptors, ...(options.text === undefined ? {} : { text: options.text }) });
}

/** Every problem of the runbook files (and of the inventory, when one is given), in file order. */
export function validate(files: readonly string[], options: { readonly inventory?: string; readonly actions?: ActionCatalogue } = {}): Diagnostic[] {
  const found = files.flatMap((f) => loadRunbook(f, options.actions === undefined ? {} : { actions: options.actions }).diagnostics);
  if (options.inventory !== undefined) found.push(...loadInventory(options.inventory).diagnostics);
  return found;
}
