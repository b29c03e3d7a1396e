/**
 * The fault soak, short: on a 5-node lab, emergency-shutdown and reboot-from-shutdown each killed with
 * SIGKILL at 5 random moments and resumed, and each run once with a node's network cut mid-step and
 * restored. Nothing may be done twice or left undone, by the journal and by the lab's power log.
 * `npm run soak` is the long version (100 trials each).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function soak(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/soak/main.js'), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('fault soak', () => {
  it('10 kills and 2 network cuts: resumed, nothing doubled, nothing lost', async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const { code, out } = await soak(['--trials', '5', '--cuts', '1', '--seed', String(seed), '--minutes', '20']);
    expect(code, out).toBe(0);
    const summary = /^trials (\d+), resumed (\d+), doubled (\d+), lost (\d+)$/m.exec(out);
    expect(summary, out).not.toBeNull();
    const [, trials, resumed, doubled, lost] = summary!.map(Number);
    expect({ trials, doubled, lost }, out).toEqual({ trials: 12, doubled: 0, lost: 0 });
    expect(resumed, out).toBeGreaterThan(0);
    // Each trial is judged on its own line, with the seed that replays it.
    expect(out).toContain(`seed ${seed}`);
    expect(out.split('\n').filter((l) => /^#\d+ (emergency-shutdown|reboot-from-shutdown): .*: (resumed|finished|ran to the end first), ok/.test(l))).toHaveLength(12);
  }, 1_500_000);
});
