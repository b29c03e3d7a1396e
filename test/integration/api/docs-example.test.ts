/**
 * The example of docs/api.md, run as written (paths pointed at a workspace) in a real node process
 * importing the package by its name: it plans, runs and lists a run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, workspace } from '../../helpers/cli.js';

describe('docs/api.md', () => {
  it('runs its example: plan, run, list', () => {
    const doc = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    expect(code.split('\n').length).toBeLessThanOrEqual(24);
    const dir = workspace({
      'hello.yaml': 'name: hello\ninputs:\n  who: { type: string, required: true }\nsteps:\n  - id: greet\n    action: shell\n    with: { command: "echo hello ${{ inputs.who }}" }\n',
      'lab.yaml': 'cluster: api-example\nnodes:\n  - { name: n1, address: 127.0.0.1, role: manager }\n',
    });
    const script = join(ROOT, `.api-example-${process.pid}.mjs`);
    writeFileSync(
      script,
      code
        .replace("'runbooks/hello.yaml'", JSON.stringify(join(dir, 'hello.yaml')))
        .replace("'inventory/lab.yaml'", JSON.stringify(join(dir, 'lab.yaml')))
        .replaceAll("'.runbook'", JSON.stringify(join(dir, 'state'))),
    );
    try {
      const out = execFileSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8' });
      const lines = out.trim().split('\n');
      expect(lines[0]).toBe('greet local');
      expect(lines[1]).toBe('done greet');
      expect(lines[2]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6} succeeded$/);
      expect(lines[3]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6} succeeded\s*$/);
    } finally {
      rmSync(script, { force: true });
    }
  });
});
