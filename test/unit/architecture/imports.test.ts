/**
 * The folders are a pipeline and imports point one way. Pure stages stay pure; the runner never
 * reaches the lab; only the CLI sets exit codes.
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

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] as string);
}

const IMPURE = /^(node:child_process|node:net|node:http|node:https|zx|ssh2|dockerode|docker-modem)$/;

describe('module boundaries', () => {
  const files = sources(ENGINE);

  it.each(['dsl', 'expr', 'graph'])('engine/%s/ has no processes, sockets or clients', (folder) => {
    const offenders = files
      .filter((f) => relative(ENGINE, f).startsWith(`${folder}/`))
      .flatMap((f) => importsOf(f).filter((i) => IMPURE.test(i)).map((i) => `${relative(ENGINE, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('journal replay is a pure reducer (no fs, no clock)', () => {
    const text = readFileSync(join(ENGINE, 'journal/replay.ts'), 'utf8');
    expect(importsOf(join(ENGINE, 'journal/replay.ts')).filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(text).not.toMatch(/Date\.now|new Date\(\)/);
  });

  it('nothing outside the CLI and the lab imports the lab', () => {
    const offenders = files
      .filter((f) => !/^(cli|lab)\//.test(relative(ENGINE, f)))
      .flatMap((f) => importsOf(f).filter((i) => i.includes('/lab/')).map((i) => `${relative(ENGINE, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('actions never import zx, ssh2 or dockerode directly', () => {
    const offenders = files
      .filter((f) => relative(ENGINE, f).startsWith('actions/'))
      .flatMap((f) => importsOf(f).filter((i) => /^(zx|ssh2|dockerode)$/.test(i)).map((i) => `${relative(ENGINE, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('only cli/main.ts sets process.exitCode', () => {
    const setters = files.filter((f) => /process\.exitCode\s*=/.test(readFileSync(f, 'utf8'))).map((f) => relative(ENGINE, f));
    expect(setters).toEqual(['cli/main.ts']);
  });
});
