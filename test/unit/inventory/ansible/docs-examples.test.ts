/**
 * The examples of docs/inventory-ansible.md: every INI and YAML inventory loads without a problem, and the
 * import output shown is what `printInventory` prints for the YAML example.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadInventory, readInventory } from '../../../../engine/inventory/load.js';
import { printInventory } from '../../../../engine/inventory/print.js';

const docs = fileURLToPath(new URL('../../../../docs/inventory-ansible.md', import.meta.url));
const text = readFileSync(docs, 'utf8');
const blocks = (lang: string): string[] => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');

describe('docs/inventory-ansible.md examples', () => {
  const ini = blocks('ini');
  const [yaml, imported] = blocks('yaml');

  test('there are INI and YAML examples and an import output', () => {
    expect(ini.length).toBeGreaterThanOrEqual(1);
    expect(yaml).toMatch(/^all:/);
    expect(imported).toMatch(/^# Converted by/);
  });

  test.each(ini.map((b, i) => [i + 1, b] as const))('INI example %i is valid', (_, block) => {
    const result = loadInventory('/docs/hosts', block);
    expect(result.diagnostics.map((d) => `${d.source.line}:${d.source.col} ${d.code}: ${d.message}`)).toEqual([]);
    expect(result.value?.nodes.length).toBeGreaterThan(0);
  });

  test('the YAML example is valid and imports to the output shown', () => {
    const result = readInventory('/docs/hosts.yml', yaml);
    expect(result.diagnostics).toEqual([]);
    const header = (imported ?? '').split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
    expect(printInventory(result.value?.written ?? { cluster: '', nodes: [] }, header)).toBe(imported);
    expect(loadInventory('/docs/native.yaml', imported).diagnostics).toEqual([]);
  });
});
