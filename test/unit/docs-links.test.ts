/**
 * The README and docs/ speak of the repository alone: every relative link resolves to a file inside it
 * (and, for a Markdown anchor, to a heading of that file), no link is an absolute path on some machine, and
 * no text points at documents kept outside the repository.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];

/** Documents that live beside the repository, never in it: naming them sends a reader where they cannot follow. */
const OUTSIDE = /\.\.\/shared\b|\bshared\/[A-Z-]+\.md\b|\bSWARM-OPS\b|\bLAB-NOTES\b|\bDESIGN\.md\b|\bSTYLE\.md\b|\/work\//;

/** Markdown without fenced code blocks and inline code spans, where brackets are not links. */
function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

function prose(text: string): string {
  return withoutFences(text).replace(/`[^`\n]*`/g, '');
}

function links(text: string): string[] {
  const body = prose(text);
  const inline = [...body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
  const defined = [...body.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1] ?? '');
  return [...inline, ...defined];
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  // A heading's inline code stays in its anchor (`--diff` → `--diff`).
  for (const [, heading] of withoutFences(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (heading ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function inside(path: string): boolean {
  const rel = relative(ROOT, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-z]:/i.test(rel);
}

/** What is wrong with one link of `file`, or undefined when it is fine. */
function problemOf(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return /^file:/i.test(target) ? 'a file: URL outside the repository' : undefined;
  if (target.startsWith('/')) return 'an absolute path: it names a machine, not the repository';
  const [path = '', anchor] = target.split('#');
  const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (!inside(resolved)) return 'leaves the repository';
  if (!existsSync(resolved)) return 'no such file in the repository';
  if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchors(resolved).has(anchor)) {
    return `no heading "#${anchor}" in ${relative(ROOT, resolved)}`;
  }
  return undefined;
}

describe('README.md and docs/', () => {
  it('have links to check', () => {
    expect(DOCS.map((f) => relative(ROOT, f))).toContain('docs/swarm-operations.md');
    expect(DOCS.reduce((n, f) => n + links(readFileSync(f, 'utf8')).length, 0)).toBeGreaterThan(20);
  });

  it.each(DOCS.map((f) => [relative(ROOT, f), f] as const))('%s: every relative link exists inside the repository', (_, file) => {
    const bad = links(readFileSync(file, 'utf8'))
      .map((target) => [target, problemOf(file, target)] as const)
      .filter(([, problem]) => problem !== undefined)
      .map(([target, problem]) => `${target}: ${String(problem)}`);
    expect(bad).toEqual([]);
  });

  it.each(DOCS.map((f) => [relative(ROOT, f), f] as const))('%s: names no document kept outside the repository', (_, file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const bad = lines.map((line, i) => `${i + 1}: ${line}`).filter((line) => OUTSIDE.test(line.replace(/^\d+: /, '')));
    expect(bad).toEqual([]);
  });
});

describe('the link check itself', () => {
  const readme = join(ROOT, 'README.md');
  it.each([
    ['../shared/SWARM-OPS.md', 'leaves the repository'],
    ['docs/../../x.md', 'leaves the repository'],
    ['/work/shared/LAB-NOTES.md', 'an absolute path: it names a machine, not the repository'],
    ['docs/nope.md', 'no such file in the repository'],
    ['docs/dsl.md#no-such-heading', 'no heading "#no-such-heading" in docs/dsl.md'],
    ['file:///etc/passwd', 'a file: URL outside the repository'],
  ])('refuses %s', (target, problem) => {
    expect(problemOf(readme, target)).toBe(problem);
  });

  it.each(['docs/dsl.md#max_failures', 'docs/running.md#where-runs-are-kept-the-run-store', '#built-in-runbooks', 'docs/'])('accepts %s', (target) => {
    expect(problemOf(readme, target)).toBeUndefined();
  });

  it('reads links in prose, not in code', () => {
    expect(links('see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d]: d.md\n')).toEqual(['a.md', 'd.md']);
  });

  it('spots a mention of a document outside the repository', () => {
    expect(OUTSIDE.test('as SWARM-OPS §2.3 says')).toBe(true);
    expect(OUTSIDE.test('see ../shared/notes')).toBe(true);
    expect(OUTSIDE.test('see swarm-operations.md')).toBe(false);
  });
});
