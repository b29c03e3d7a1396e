/**
 * What import rules cannot say: pure stages read no clock, only the CLI sets exit codes, and a library
 * loaded on first use is one the layer could import. (The
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

  it('ssh2, docker-modem and zx loaded on first use are loaded in io/ alone (dependency-cruiser sees no such load)', () => {
    const loads = files
      .filter((f) => /onFirstUse<[^>]*>\('(ssh2|docker-modem|zx)'\)|import\('(ssh2|docker-modem|zx)'\)/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ENGINE, f));
    expect(loads.length).toBeGreaterThan(0);
    expect(loads.filter((f) => !f.startsWith('io/'))).toEqual([]);
  });

  it('only cli/main.ts sets process.exitCode', () => {
    const setters = files.filter((f) => /process\.exitCode\s*=/.test(readFileSync(f, 'utf8'))).map((f) => relative(ENGINE, f));
    expect(setters).toEqual(['cli/main.ts']);
  });
});
