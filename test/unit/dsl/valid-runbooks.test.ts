/** Valid runbooks load without errors and normalize to the resolved structure of `types.ts`. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Diagnostic } from '../../../engine/dsl/diagnostics.js';
import { loadRunbook } from '../../../engine/index.js';

const LABEL_NODE = `# yaml-language-server: $schema=../engine/dsl/schema/runbook.schema.json
name: label-node
description: Add labels to a node so placement constraints can target it.
confirm: "Label \${{ inputs.node }}?"
inputs:
  node:   { type: string, required: true, description: hostname as in docker node ls }
  labels: { type: object, default: { function: production } }
  token:  { type: string, secret: true }
steps:
  - id: label
    name: Add labels
    action: shell
    on: manager
    with: { command: "echo \${{ inputs.node }}" }
  - id: show
    needs: label
    when: "\${{ inputs.labels.function == 'production' }}"
    action: shell
    with: { command: "echo labelled" }
    retry: { attempts: 3, delay: 1m30s }
    timeout: 500ms
    outputs:
      said: "\${{ result.stdout }}"
`;

function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.source.line}:${d.source.col} ${d.code}: ${d.message}`);
}

function valid(text: string) {
  const result = loadRunbook('runbooks/test.yaml', { text: text });
  expect(codes(result.diagnostics)).toEqual([]);
  if (result.value === undefined) throw new Error('no runbook');
  return result.value;
}

describe('valid runbooks', () => {
  test('normalize to the resolved form', () => {
    const runbook = valid(LABEL_NODE);
    const file = resolve('runbooks/test.yaml');
    expect(runbook).toEqual({
      name: 'label-node',
      description: 'Add labels to a node so placement constraints can target it.',
      confirm: 'Label ${{ inputs.node }}?',
      inputs: [
        {
          name: 'node',
          type: 'string',
          required: true,
          secret: false,
          description: 'hostname as in docker node ls',
          source: { file, line: 6, col: 3 },
        },
        {
          name: 'labels',
          type: 'object',
          required: false,
          default: { function: 'production' },
          secret: false,
          source: { file, line: 7, col: 3 },
        },
        { name: 'token', type: 'string', required: false, secret: true, source: { file, line: 8, col: 3 } },
      ],
      env: [],
      steps: [
        {
          id: 'label',
          name: 'Add labels',
          action: 'shell',
          on: 'manager',
          with: { command: 'echo ${{ inputs.node }}' },
          needs: [],
          continueOnError: false,
          outputs: {},
          secretOutputs: [],
          allowQuorumLoss: false,
          source: { file, line: 10, col: 5 },
        },
        {
          id: 'show',
          action: 'shell',
          with: { command: 'echo labelled' },
          needs: ['label'],
          when: "${{ inputs.labels.function == 'production' }}",
          retry: { attempts: 3, delayMs: 90_000, backoff: 1 },
          timeoutMs: 500,
          continueOnError: false,
          outputs: { said: '${{ result.stdout }}' },
          secretOutputs: [],
          allowQuorumLoss: false,
          source: { file, line: 15, col: 5 },
        },
      ],
      file,
      hash: createHash('sha256').update(LABEL_NODE).digest('hex'),
    });
    // Optional fields are absent, not present-and-undefined.
    expect(Object.keys(runbook.steps[0] ?? {})).not.toContain('when');
  });

  test('reads the file and hashes its bytes when no text is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-dsl-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'label-node.yaml');
    writeFileSync(path, LABEL_NODE);
    const result = loadRunbook(path);
    expect(result.value?.file).toBe(path);
    expect(result.value?.hash).toBe(createHash('sha256').update(LABEL_NODE).digest('hex'));
    const missing = loadRunbook(join(dir, 'nope.yaml'));
    expect(codes(missing.diagnostics)).toEqual([`1:1 RB_FILE_NOT_FOUND: cannot read ${join(dir, 'nope.yaml')}: no such file`]);
  });

  test('expressions stand in for any type in `with`', () => {
    const runbook = valid(`name: x
inputs:
  ok: { type: boolean, default: true }
  codes: { type: array, default: [0, 1] }
steps:
  - id: a
    action: assert
    with: { that: "\${{ inputs.ok }}" }
  - id: b
    action: shell
    with: { command: "true", ok_codes: "\${{ inputs.codes }}" }
`);
    expect(runbook.steps.map((s) => s.with)).toEqual([
      { that: '${{ inputs.ok }}' },
      { command: 'true', ok_codes: '${{ inputs.codes }}' },
    ]);
  });

  test('foreach, item, result, check and transitive needs are accepted where they belong', () => {
    const runbook = valid(`name: drain-all
inputs:
  nodes: { type: array, default: [a, b] }
env: [HOME]
steps:
  - id: list-nodes
    action: shell
    with: { command: "echo \${{ env.HOME }}" }
    outputs: { names: "\${{ result.stdout.split(',') }}" }
  - id: mid
    needs: [list-nodes]
    action: shell
    with: { command: "true" }
  - id: drain
    needs: [mid]
    foreach: "\${{ steps['list-nodes'].outputs.names }}"
    concurrency: 2
    max_failures: 0
    action: shell
    with: { command: "drain \${{ item }} of \${{ inputs.nodes.size() }}" }
    check:
      action: shell
      with: { command: "is-drained \${{ item }}" }
      satisfied: "\${{ result.exit_code == 0 }}"
  - id: literal
    foreach: [1, 2, 3]
    check: "\${{ item > 2 }}"
    action: assert
    with: { that: "\${{ item > 0 }}" }
    continue_on_error: true
    allow_quorum_loss: true
    secret_outputs: [stdout]
`);
    const drain = runbook.steps[2];
    expect(drain?.foreach).toBe("${{ steps['list-nodes'].outputs.names }}");
    expect(drain?.check).toEqual({
      type: 'action',
      action: 'shell',
      with: { command: 'is-drained ${{ item }}' },
      satisfied: '${{ result.exit_code == 0 }}',
      source: { file: resolve('runbooks/test.yaml'), line: 22, col: 7 },
    });
    expect(runbook.steps[3]).toMatchObject({
      foreach: [1, 2, 3],
      check: { type: 'expression', expression: '${{ item > 2 }}' },
      continueOnError: true,
      allowQuorumLoss: true,
      secretOutputs: ['stdout'],
    });
    expect(runbook.steps[3]).not.toHaveProperty('concurrency');
    expect(drain).toMatchObject({ concurrency: 2, maxFailures: 0 });
  });

  test('a hyphenated id read with dots gets the index form as a hint', () => {
    const result = loadRunbook('x.yaml', { text: `name: x
steps:
  - id: list-nodes
    action: shell
    with: { command: "true" }
  - id: b
    needs: [list-nodes]
    action: shell
    with: { command: "echo \${{ steps.list-nodes.outputs.stdout }}" }
` });
    const [first] = result.diagnostics;
    expect(first?.code).toBe('RB_EXPR_UNKNOWN_STEP');
    expect(first?.hint).toContain(`steps['list-nodes']`);
  });
});
