/**
 * Every built-in runbook and example inventory the project ships validates cleanly.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../engine/index.js';
import { loadInventory } from '../../engine/inventory/load.js';

const ROOT = join(import.meta.dirname, '../..');
const yamlIn = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(ROOT, dir, f));

describe('shipped files', () => {
  it.each(yamlIn('runbooks'))('%s validates with no diagnostics', (file) => {
    const loaded = loadRunbook(file);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.value?.description).toBeTruthy();
  });

  it.each(yamlIn('inventory'))('%s validates with no diagnostics', (file) => {
    expect(loadInventory(file).diagnostics).toEqual([]);
  });
});
