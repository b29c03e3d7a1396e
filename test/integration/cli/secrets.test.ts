/**
 * A secret input never reaches the terminal, --json output or any file of the state dir,
 * even when a command echoes it or fails with it in stderr.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

const SECRET = 'SWMTKN-1-s3cr3t-t0ken-value';

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

describe('secrets', () => {
  it('are masked in output, events and the journal', async () => {
    const dir = workspace({
      'rb.yaml': `
name: secretive
inputs:
  token: { type: string, secret: true, required: true }
steps:
  - id: echo
    action: shell
    with: { command: "echo the token is \${{ inputs.token }}" }
  - id: derive
    action: shell
    secret_outputs: [stdout]
    with: { command: "echo derived-\${{ inputs.token }}-value; echo visible >&2" }
  - id: fail
    needs: [echo, derive]
    action: shell
    with: { command: "echo bad \${{ inputs.token }} >&2; echo \${{ steps.derive.outputs.stdout }} >&2; exit 3" }
`,
    });
    for (const json of [false, true]) {
      const r = await runCli(['run', 'rb.yaml', '--state-dir', 's', '--input', `token=${SECRET}`, ...(json ? ['--json'] : [])], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).not.toContain('s3cr3t');
      expect(r.stdout + r.stderr).toContain('***');
    }
    const files = everyFile(join(dir, 's'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(f, 'utf8')).not.toContain('s3cr3t');
  });
});
