/**
 * Finds the project root (the package.json named "runbook") from this module, whether it runs from
 * engine/lab/ as TypeScript or from dist/engine/lab/ compiled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunbookError } from '../errors.js';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'runbook') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new RunbookError('INTERNAL', 'cannot find the runbook package root above the lab module');
    dir = parent;
  }
}

/** The CLI launcher the lab's power commands call. */
export function runbookBin(): string {
  return join(repoRoot(), 'bin', 'runbook.js');
}
