/**
 * Fields an action evaluates itself after it ran (`wait.until`'s `until`) may read `result`; other
 * `with` fields may not.
 */
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../../engine/index.js';

const runbook = (untilText: string, otherText = 'web') => `
name: late
inputs:
  replicas: { type: integer, default: 2 }
steps:
  - id: up
    action: wait.until
    with:
      probe: { action: docker.service.ls, with: { name: "${otherText}" } }
      until: "${untilText}"
`;

describe('late fields', () => {
  it('accept result and the usual roots in wait.until until', () => {
    const loaded = loadRunbook('/tmp/late.yaml', { text: runbook('${{ result.count == inputs.replicas }}') });
    expect(loaded.diagnostics).toEqual([]);
  });

  it('still check names in them', () => {
    const loaded = loadRunbook('/tmp/late.yaml', { text: runbook('${{ result.count == inputs.replica }}') });
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RB_EXPR_UNKNOWN_INPUT']);
  });

  it('refuse result in ordinary with fields', () => {
    const loaded = loadRunbook('/tmp/late.yaml', { text: runbook('${{ result.count > 0 }}', '${{ result.name }}') });
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RB_EXPR_UNKNOWN_NAME']);
  });
});
