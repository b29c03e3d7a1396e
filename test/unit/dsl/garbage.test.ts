/** Nothing a user can put in a file makes loading throw: every outcome is diagnostics. */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadRunbook } from '../../../engine/index.js';
import { loadInventory } from '../../../engine/inventory/load.js';
import { formatDiagnostic } from '../../../engine/ui/diagnostics.js';

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const inputs: Array<[string, string]> = [
  ['random bytes', randomBytes(4096).toString('latin1')],
  ['random utf8', randomBytes(4096).toString('utf8')],
  ['a 1 MB string', `name: x\ndescription: ${'a'.repeat(1 << 20)}\nsteps: [{ id: a, action: shell, with: { command: "true" } }]\n`],
  ['a 1 MB line of garbage', '{'.repeat(1 << 20)],
  ['deeply nested flow lists', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
  ['deeply nested block lists', `${'- '.repeat(20_000)}x`],
  ['deeply nested maps', `${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}`],
  ['indentation staircase', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
  ['tags', 'name: !!binary x\nsteps: !custom [1]\n'],
  ['anchors everywhere', 'a: &a 1\nname: *a\nsteps: [*a, *b]\n'],
  ['NUL bytes', 'name: x\0\nsteps:\0 [\0]\n'],
  ['BOM', '\uFEFFname: x\nsteps: [{ id: a, action: shell, with: { command: "true" } }]\n'],
  ['numeric keys', '1: 2\n? [a, b]\n: c\nnull: ~\n'],
  ['only a document marker', '---\n...\n'],
  ['expression garbage', 'name: x\nsteps: [{ id: a, action: shell, with: { command: "${{ ${{ }} }} ${{ \'" } }]\n'],
];

describe('garbage never throws', () => {
  test.each(inputs)('%s', (_, text) => {
    for (const load of [loadRunbook, loadInventory]) {
      const result = load('garbage.yaml', text);
      expect(result.value === undefined || result.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
      for (const d of result.diagnostics) {
        expect(d.source.line).toBeGreaterThanOrEqual(1);
        expect(d.source.col).toBeGreaterThanOrEqual(1);
        expect(() => formatDiagnostic(d, text)).not.toThrow();
      }
    }
  });

  test('random mutations of a valid runbook', () => {
    const base = `name: label-node
inputs:
  node: { type: string, required: true }
steps:
  - id: label
    action: shell
    with: { command: "echo \${{ inputs.node }}" }
  - id: show
    needs: [label]
    when: "\${{ steps.label.outputs.stdout != '' }}"
    action: assert
    with: { that: true }
    retry: { attempts: 2, delay: 1s }
`;
    const random = seeded(42);
    const alphabet = '-:[]{}&*!|>\'"#%@` \n\t${}abc01.';
    for (let round = 0; round < 300; round++) {
      const chars = [...base];
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        const at = Math.floor(random() * chars.length);
        const what = random();
        if (what < 0.4) chars.splice(at, 1);
        else if (what < 0.8) chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)] ?? '');
        else chars[at] = alphabet[Math.floor(random() * alphabet.length)] ?? '';
      }
      const text = chars.join('');
      expect(() => loadRunbook('mutant.yaml', { text: text }), text).not.toThrow();
    }
  });
});
