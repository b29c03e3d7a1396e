/**
 * Where things are: the state dir, the run store and the inventory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openRunStore } from '../journal/open-store.js';
import type { RunStore } from '../journal/run-store.js';
import type { CliIo, CommonOptions } from './io.js';

export function stateDirFrom(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, option ?? env['RUNBOOK_STATE_DIR'] ?? '.runbook');
}

/** `-i`, else RUNBOOK_INVENTORY, else inventory/default.yaml when it exists. */
export function inventoryFrom(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const given = option ?? env['RUNBOOK_INVENTORY'];
  if (given !== undefined && given !== '') return resolve(cwd, given);
  const fallback = resolve(cwd, 'inventory/default.yaml');
  return existsSync(fallback) ? fallback : undefined;
}

/** `--state URL`, else `$RUNBOOK_STATE`, else the file store in the state dir. */
export function storeFrom(io: CliIo, options: CommonOptions): Promise<RunStore> {
  const url = options.state ?? io.env['RUNBOOK_STATE'];
  return openRunStore({ ...(url === undefined || url === '' ? {} : { url }), stateDir: stateDirFrom(options.stateDir, io.env, io.cwd) });
}

/** What to add to `runbook resume` so it finds the run again: the store when it came from --state. */
export function storeArgument(options: CommonOptions, store: RunStore): string {
  return options.state === undefined ? '' : ` --state ${store.label}`;
}
