/** Every YAML example in docs/dsl.md is valid: runbooks (with `steps:`) and inventories (with `cluster:`). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadRunbook } from '../../../engine/index.js';
import { loadInventory } from '../../../engine/inventory/load.js';

const docs = fileURLToPath(new URL('../../../docs/dsl.md', import.meta.url));
const blocks = [...readFileSync(docs, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/dsl.md examples', () => {
  test('there are examples of both kinds', () => {
    expect(blocks.filter((b) => /^steps:/m.test(b)).length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => /^cluster:/m.test(b)).length).toBeGreaterThanOrEqual(1);
  });

  test.each(blocks.map((b, i) => [i + 1, b] as const))('example %i is valid', (_, text) => {
    const result = /^cluster:/m.test(text) ? loadInventory(docs, text) : loadRunbook(docs, { text });
    expect(result.diagnostics.map((d) => `${d.source.line}:${d.source.col} ${d.code}: ${d.message}`)).toEqual([]);
    expect(result.value).toBeDefined();
  });
});
