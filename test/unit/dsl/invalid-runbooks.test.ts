/**
 * Golden files: each `invalid/<CODE>-<case>.yaml` fails with the `file:line:col: error CODE` lines of its
 * `.expected` sibling. Codes and positions are asserted, not prose; the prose is checked to exist and to print,
 * with a hint of what to write instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadRunbook } from '../../../engine/index.js';
import { formatDiagnostic } from '../../../engine/ui/diagnostics.js';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'invalid');
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid runbooks', () => {
  test('there is a case for every runbook error kind', () => {
    const codes = new Set(cases.map((f) => f.split('-')[0]));
    for (const code of [
      'RB_YAML_SYNTAX', 'RB_DUPLICATE_KEY', 'RB_ALIAS_LIMIT', 'RB_EMPTY_FILE', 'RB_NOT_A_MAPPING', 'RB_UNKNOWN_KEY',
      'RB_MISSING_KEY', 'RB_WRONG_TYPE', 'RB_BAD_VALUE', 'RB_BAD_ID', 'RB_DUPLICATE_ID', 'RB_UNKNOWN_ACTION',
      'RB_ACTION_WITH', 'RB_UNKNOWN_NEEDS', 'RB_SELF_NEEDS', 'RB_CYCLE', 'RB_BAD_DURATION', 'RB_UNKNOWN_INPUT_TYPE',
      'RB_BAD_FOREACH', 'RB_EXPR_SYNTAX', 'RB_EXPR_UNKNOWN_INPUT', 'RB_EXPR_UNKNOWN_STEP', 'RB_EXPR_UNKNOWN_NAME',
      'RB_EXPR_NOT_NEEDED', 'RB_UNKNOWN_RUNBOOK',
    ]) {
      expect(codes, code).toContain(code);
    }
  });

  test.each(cases)('%s', (file) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const expected = readFileSync(path.replace(/\.yaml$/, '.expected'), 'utf8').trim().split('\n');
    const result = loadRunbook(path);
    const actual = result.diagnostics.map(
      (d) => `${basename(d.source.file)}:${d.source.line}:${d.source.col}: ${d.severity} ${d.code}`,
    );
    expect(actual).toEqual(expected);
    expect(result.value).toBeUndefined();
    expect(actual[0]).toContain(file.split('-')[0]);
    for (const d of result.diagnostics) {
      expect(d.source.file).toBe(path);
      expect(d.message.length).toBeGreaterThan(5);
      expect(d.hint, `${file}: ${d.message}: what to write instead`).toMatch(/\S{3}/);
      const printed = formatDiagnostic(d, text);
      expect(printed.split('\n')[0]).toContain(`:${d.source.line}:${d.source.col}: ${d.severity} ${d.code}: `);
    }
  });
});
