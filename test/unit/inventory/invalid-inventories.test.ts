/**
 * Golden files for inventories: `invalid/<CODE>-<case>.yaml` fails with the lines of its `.expected`, each
 * with a hint of what to write instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'invalid');
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid inventories', () => {
  test('there is a case for every inventory error kind', () => {
    const codes = new Set(cases.map((f) => f.split('-')[0]));
    for (const code of [
      'RB_INV_MISSING_ADDRESS', 'RB_INV_DUPLICATE_NODE', 'RB_INV_UNKNOWN_ROLE', 'RB_INV_UNKNOWN_NODE',
      'RB_INV_PLAIN_TCP', 'RB_UNKNOWN_KEY', 'RB_MISSING_KEY',
    ]) {
      expect(codes, code).toContain(code);
    }
  });

  test.each(cases)('%s', (file) => {
    const path = join(dir, file);
    const expected = readFileSync(path.replace(/\.yaml$/, '.expected'), 'utf8').trim().split('\n');
    const result = loadInventory(path);
    const actual = result.diagnostics.map(
      (d) => `${basename(d.source.file)}:${d.source.line}:${d.source.col}: ${d.severity} ${d.code}`,
    );
    expect(actual).toEqual(expected);
    expect(result.value).toBeUndefined();
    expect(actual[0]).toContain(file.split('-')[0]);
    for (const d of result.diagnostics) expect(d.hint, `${file}: ${d.message}: what to write instead`).toMatch(/\S{3}/);
  });
});
