/**
 * Where this package is installed: the built-in runbooks live beside the code, from source (engine/) or
 * compiled (dist/engine/).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding this package's package.json and its `runbooks/`. */
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
