/** A generated 10,000-step runbook validates quickly; the time is printed, not asserted. */
import { expect, test } from 'vitest';
import { loadRunbook } from '../../../engine/index.js';

function generate(steps: number): string {
  const lines = ['name: large', 'inputs:', '  node: { type: string, default: c001 }', 'steps:'];
  lines.push('  - { id: s0, action: assert, with: { that: true } }');
  for (let i = 1; i < steps; i++) {
    // A chain plus a long-range read through transitive needs: the worst case for the ordering check.
    const read = i % 10 === 0 ? 's0' : `s${i - 1}`;
    lines.push(
      `  - { id: s${i}, needs: [s${i - 1}], action: assert, timeout: 30s, with: { that: "\${{ steps.${read}.outputs.ok }}" } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

test('10,000 steps', () => {
  const text = generate(10_000);
  const started = performance.now();
  const result = loadRunbook('large.yaml', { text: text });
  const elapsed = performance.now() - started;
  console.log(`validated 10,000 steps (${(text.length / 1e6).toFixed(2)} MB) in ${elapsed.toFixed(0)} ms`);
  expect(result.diagnostics).toEqual([]);
  expect(result.value?.steps).toHaveLength(10_000);
  expect(result.value?.steps[9_999]?.timeoutMs).toBe(30_000);
});
