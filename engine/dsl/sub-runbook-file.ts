/**
 * Which file `action: runbook` with `name:` runs: a path to a .yaml file (relative to the calling
 * runbook), or a runbook's name — beside the calling runbook first (`join-node` → `join-node.yaml`), else
 * a built-in runbook of that name, so that an operator's own runbook can call `label-node`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { builtinRunbooksDir } from '../package-root.js';

function searchDirs(callerFile: string): string[] {
  return [dirname(callerFile), builtinRunbooksDir()];
}

/** The file, or undefined when there is none. */
export function subRunbookFile(callerFile: string, name: string): string | undefined {
  if (/\.ya?ml$/.test(name)) {
    const file = resolve(dirname(callerFile), name);
    return existsSync(file) ? file : undefined;
  }
  for (const where of searchDirs(callerFile)) {
    for (const ext of ['.yaml', '.yml']) {
      const file = resolve(where, `${name}${ext}`);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** The runbook names a call from `callerFile` can reach, for "did you mean". */
export function reachableRunbookNames(callerFile: string): string[] {
  const names = new Set<string>();
  for (const where of searchDirs(callerFile)) {
    if (!existsSync(where)) continue;
    for (const entry of readdirSync(where)) {
      const m = /^(.+)\.ya?ml$/.exec(entry);
      if (m?.[1] !== undefined) names.add(m[1]);
    }
  }
  return [...names].sort();
}
