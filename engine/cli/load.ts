/**
 * Loading what a command needs — runbook, inventory, inputs — and printing every diagnostic found.
 * Returns undefined when anything is invalid: the caller exits 2 and nothing runs.
 */
// The API's loading modules, not the whole API: `runbook validate` need not load the runner.
import { loadRunbook } from '../api/load.js';
import { hasErrors } from '../dsl/diagnostics.js';
import { inputsFromEnvironment, resolveInputs } from '../dsl/inputs.js';
import type { Runbook } from '../dsl/types.js';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import { builtinRunbooksDir } from '../package-root.js';
import { inventoryFrom } from './paths.js';
import { findRunbook, listRunbookFiles, runbookDirs } from './find-runbook.js';
import { printDiagnostics } from './print-diagnostics.js';
import { say, type CliIo, type CommonOptions } from './io.js';

export function loadRunbookFor(io: CliIo, nameOrPath: string, options: CommonOptions): Runbook | undefined {
  const dirs = runbookDirs(options.runbooks, builtinRunbooksDir(), io.cwd);
  const file = findRunbook(nameOrPath, dirs, io.cwd);
  if (file === undefined) {
    const known = listRunbookFiles(dirs).map((r) => r.name).join(', ');
    say(io, `error: no runbook "${nameOrPath}" (looked in ${dirs.join(', ')}); known runbooks: ${known || 'none'}`);
    return undefined;
  }
  const loaded = loadRunbook(file);
  printDiagnostics(io, loaded.diagnostics);
  return hasErrors(loaded.diagnostics) ? undefined : loaded.value;
}

/** `{ ok: false }` when the inventory is invalid; `inventory` undefined when none was given or found. */
export function loadInventoryFor(io: CliIo, options: CommonOptions): { ok: boolean; inventory?: Inventory } {
  const file = inventoryFrom(options.inventory, io.env, io.cwd);
  if (file === undefined) return { ok: true };
  const loaded = loadInventory(file);
  printDiagnostics(io, loaded.diagnostics);
  if (hasErrors(loaded.diagnostics) || loaded.value === undefined) return { ok: false };
  return { ok: true, inventory: loaded.value };
}

/** `--input k=v` pairs; a pair without `=` is a usage error. */
export function parseInputPairs(io: CliIo, pairs: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      say(io, `error: --input ${pair}: write --input NAME=VALUE`);
      return undefined;
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * The inputs the caller gave: `RUNBOOK_INPUT_<name>` variables for the runbook's declared inputs, then
 * `--input name=value` pairs, which win.
 */
export function givenInputs(io: CliIo, runbook: Runbook, pairs: readonly string[]): Record<string, string> | undefined {
  const fromFlags = parseInputPairs(io, pairs);
  if (fromFlags === undefined) return undefined;
  return { ...inputsFromEnvironment(runbook, io.env), ...fromFlags };
}

/** Resolved inputs, and the names the caller gave (journaled, so a resume knows which secrets to ask for). */
export function inputsFor(io: CliIo, runbook: Runbook, pairs: readonly string[]): { values: Record<string, unknown>; given: string[] } | undefined {
  const given = givenInputs(io, runbook, pairs);
  if (given === undefined) return undefined;
  const resolved = resolveInputs(runbook, given);
  printDiagnostics(io, resolved.diagnostics);
  return hasErrors(resolved.diagnostics) || resolved.value === undefined ? undefined : { values: resolved.value, given: Object.keys(given) };
}
