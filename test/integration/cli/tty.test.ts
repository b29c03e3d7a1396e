/**
 * Gates answered by a person at a real terminal (a pseudo-terminal from util-linux `script`).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, workspace } from '../../helpers/cli.js';

/** Runs the CLI on a pseudo-terminal, typing `answer` once the question is on the screen. */
function onTerminal(args: readonly string[], cwd: string, answer: string): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString();
      if (!typed && screen.includes('[yes/no]')) {
        typed = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

function journal(dir: string): Record<string, unknown>[] {
  const run = readdirSync(join(dir, 's', 'runs'))[0] as string;
  return readFileSync(join(dir, 's', 'runs', run, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

const GATED = `
name: gated
confirm: "Touch the file?"
steps:
  - id: touch
    action: shell
    with: { command: "touch touched" }
`;

describe('gates at a terminal', () => {
  it('runs after the person answers yes, and journals the answer', async () => {
    const dir = workspace({ 'rb.yaml': GATED });
    const r = await onTerminal(['run', 'rb.yaml', '--state-dir', 's'], dir, 'yes');
    expect(r.code, r.screen).toBe(0);
    expect(existsSync(join(dir, 'touched'))).toBe(true);
    expect(journal(dir).find((e) => e['type'] === 'gate.answered')).toMatchObject({ answer: true, by: 'tty' });
  });

  it('refuses with exit 3 on anything but yes, and runs nothing', async () => {
    const dir = workspace({ 'rb.yaml': GATED });
    const r = await onTerminal(['run', 'rb.yaml', '--state-dir', 's'], dir, 'y-no');
    expect(r.code, r.screen).toBe(3);
    expect(existsSync(join(dir, 'touched'))).toBe(false);
    expect(journal(dir).find((e) => e['type'] === 'gate.answered')).toMatchObject({ answer: false, by: 'tty' });
  });
});
