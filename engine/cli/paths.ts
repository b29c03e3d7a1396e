/**
 * Where things are: the state dir and the inventory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

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
