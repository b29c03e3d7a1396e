/**
 * What import rules cannot say: pure stages read no clock, and only the CLI sets exit codes. (The
 * direction of imports and the cycles are dependency-cruiser's, in layers.test.ts.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE = join(import.meta.dirname, '../../../engine');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('module boundaries', () => {
  const files = sources(ENGINE);

  it('journal replay, the planner and the report read no clock', () => {
    const offenders = files
      .filter((f) => /^(journal\/replay\.ts|plan\/|graph\/|report\/)/.test(relative(ENGINE, f)))
      .filter((f) => /Date\.now|new Date\(\)|performance\.now/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ENGINE, f));
    expect(offenders).toEqual([]);
  });

  it('only cli/main.ts sets process.exitCode', () => {
    const setters = files.filter((f) => /process\.exitCode\s*=/.test(readFileSync(f, 'utf8'))).map((f) => relative(ENGINE, f));
    expect(setters).toEqual(['cli/main.ts']);
  });
});
