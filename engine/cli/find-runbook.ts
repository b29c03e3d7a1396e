/**
 * NAME → file: a path to a .yaml file, else NAME.yaml in `--runbooks DIR`, else in the built-in runbooks.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function runbookDirs(extra: string | undefined, builtin: string, cwd: string): string[] {
  return extra === undefined ? [builtin] : [resolve(cwd, extra), builtin];
}

export function findRunbook(nameOrPath: string, dirs: readonly string[], cwd: string): string | undefined {
  const asPath = resolve(cwd, nameOrPath);
  if (/\.ya?ml$/.test(nameOrPath) || nameOrPath.includes('/')) {
    return existsSync(asPath) && statSync(asPath).isFile() ? asPath : undefined;
  }
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const file = join(dir, nameOrPath + ext);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** Every runbook file in the directories; earlier directories shadow later ones by name. */
export function listRunbookFiles(dirs: readonly string[]): { name: string; file: string }[] {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      const m = /^(.+)\.ya?ml$/.exec(entry);
      if (m?.[1] !== undefined && !seen.has(m[1])) seen.set(m[1], join(dir, entry));
    }
  }
  return [...seen].map(([name, file]) => ({ name, file }));
}
