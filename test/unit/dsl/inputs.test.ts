import { describe, expect, test } from 'vitest';
import { resolveInputs } from '../../../engine/dsl/inputs.js';
import { loadRunbook } from '../../../engine/index.js';
import type { Runbook } from '../../../engine/dsl/types.js';

const loaded = loadRunbook('inputs.yaml', {
  text: `name: inputs
inputs:
  node: { type: string, required: true }
  count: { type: integer, default: 2 }
  ratio: { type: number }
  force: { type: boolean, default: false }
  labels: { type: object, default: { function: production } }
  nodes: { type: array }
  mode: { type: string, enum: [drain, pause], default: drain }
steps:
  - id: a
    action: shell
    with: { command: "true" }
`,
});
const runbook = loaded.value as Runbook;

function codes(given: Record<string, string>): string[] {
  return resolveInputs(runbook, given).diagnostics.map((d) => `${d.source.file}:${d.source.line}:${d.source.col} ${d.code}`);
}

describe('resolveInputs', () => {
  test('the runbook loads', () => {
    expect(loaded.diagnostics).toEqual([]);
  });

  test('parses values as YAML scalars and applies defaults', () => {
    const result = resolveInputs(runbook, {
      node: '007',
      ratio: '0.5',
      force: 'true',
      nodes: '[c001, c002]',
      labels: '{a: b}',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toEqual({
      node: '007',
      count: 2,
      ratio: 0.5,
      force: true,
      labels: { a: 'b' },
      nodes: ['c001', 'c002'],
      mode: 'drain',
    });
  });

  test('a string input keeps quotes-free text as written and unquotes quoted text', () => {
    expect(resolveInputs(runbook, { node: 'true' }).value?.['node']).toBe('true');
    expect(resolveInputs(runbook, { node: '"a b"' }).value?.['node']).toBe('a b');
    expect(resolveInputs(runbook, { node: 'x: y' }).value?.['node']).toBe('x: y');
    expect(resolveInputs(runbook, { node: '' }).value?.['node']).toBe('');
  });

  test('defaults are copies, not shared objects', () => {
    const first = resolveInputs(runbook, { node: 'a' }).value as Record<string, Record<string, string>>;
    (first['labels'] as Record<string, string>)['function'] = 'changed';
    expect(resolveInputs(runbook, { node: 'a' }).value?.['labels']).toEqual({ function: 'production' });
  });

  test('missing required input', () => {
    expect(codes({})).toEqual(['<command line>:1:1 RB_INPUT_MISSING']);
  });

  test('unknown input names a close one', () => {
    const result = resolveInputs(runbook, { node: 'a', nod: 'b' });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RB_INPUT_UNKNOWN']);
    expect(result.diagnostics[0]?.hint).toBe('did you mean "node"?');
    expect(result.value).toBeUndefined();
  });

  test.each([
    ['count', 'three'],
    ['count', '2.5'],
    ['ratio', 'many'],
    ['force', 'yes'],
    ['labels', '[a]'],
    ['nodes', 'c001'],
  ])('wrong type: %s=%s', (name, value) => {
    expect(codes({ node: 'a', [name]: value })).toEqual(['<command line>:1:1 RB_INPUT_TYPE']);
  });

  test('enum', () => {
    expect(codes({ node: 'a', mode: 'pause' })).toEqual([]);
    const result = resolveInputs(runbook, { node: 'a', mode: 'pase' });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RB_BAD_VALUE']);
    expect(result.diagnostics[0]?.hint).toBe('did you mean "pause"?');
  });
});
