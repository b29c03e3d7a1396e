/**
 * Where things are: the package root (for the built-in runbooks), the state dir, the inventory.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding this package's package.json, from source (engine/) or compiled (dist/engine/) code. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runbooks'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the runbook package root');
}

export function builtinRunbooksDir(): string {
  return join(packageRoot(), 'runbooks');
}

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
