/**
 * The staged command of ssh.script, ssh.file and docker.stack.deploy, run by the shells a node may log in
 * with (dash as /bin/sh, and bash): files arrive byte for byte with their modes, the command's stdin is
 * closed, its exit code is the command's, and the directory is gone afterwards — also after a TERM to the
 * process group (a step timeout) and when whoever fed its stdin died before the command ended (a killed runner).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { stagedCommand } from '../../../engine/actions/ssh/staged-files.js';

const SHELLS = ['/bin/sh', '/bin/bash'] as const;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs `command` as sshd would (`SHELL -c`), in a process group of its own, feeding `stdin`. */
function run(shell: string, command: string, stdin: string, onStart?: (pid: number) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', command], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(stdin);
    onStart?.(child.pid as number);
  });
}

/** The staged directories now in /tmp with this prefix. */
function staged(prefix: string): string[] {
  return readdirSync('/tmp').filter((e) => e.startsWith(`${prefix}.`));
}

async function gone(prefix: string, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    if (staged(prefix).length === 0) return true;
    await sleep(50);
  }
  return staged(prefix).length === 0;
}

describe.each(SHELLS)('staged files under %s', (shell) => {
  const prefix = `rb-staged-test-${process.pid}-${shell.replace(/\//g, '')}`;

  it('writes each file byte for byte with its mode, closes the command\'s stdin, keeps its exit code, and removes the directory', async () => {
    const binary = Buffer.from([0, 1, 2, 10, 13, 255, 39, 34, 36, 92, 10]);
    const { command, stdin } = stagedCommand(
      prefix,
      [
        { name: 'bin', content: binary },
        { name: 'empty', content: '' },
        { name: 'script.sh', content: 'echo "$1 ran"\n', mode: '0700' },
        { name: 'no-newline', content: 'last line' },
      ],
      `od -An -tx1 "$d"/bin | tr -d ' \\n'; echo; wc -c < "$d"/empty; stat -c %a "$d"/script.sh "$d"/bin; "$d"/script.sh it; cat "$d"/no-newline; echo; cat; echo "stdin closed"; exit 7`,
    );
    const r = await run(shell, command, stdin);
    expect(r.code).toBe(7);
    expect(r.stdout.split('\n')).toEqual([binary.toString('hex'), '0', '700', '600', 'it ran', 'last line', 'stdin closed', '']);
    expect(staged(prefix)).toEqual([]);
  });

  it('removes the directory when the command is stopped with TERM to its process group', async () => {
    const { command, stdin } = stagedCommand(prefix, [{ name: 'f', content: 'x' }], 'sleep 30');
    let group = 0;
    const ran = run(shell, command, stdin, (pid) => (group = pid));
    for (let i = 0; i < 250 && staged(prefix).length === 0; i++) await sleep(20);
    expect(staged(prefix)).toHaveLength(1);
    process.kill(-group, 'SIGTERM');
    const r = await ran;
    expect(r.code).not.toBe(0);
    expect(await gone(prefix, 5_000)).toBe(true);
  });

  it('removes the directory once the command ends after its feeder died (the runner killed mid-step)', async () => {
    const done = `/tmp/${prefix}-done`;
    const { command, stdin } = stagedCommand(prefix, [{ name: 'f', content: 'x' }], `sleep 1; touch ${done}`);
    // The feeder writes the files, then dies without closing anything on purpose: SIGKILL, as a runner would.
    const feeder = spawn(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(stdin)}); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200)`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const child = spawn(shell, ['-c', command], { stdio: [feeder.stdout, 'ignore', 'inherit'] });
    await new Promise((resolve) => child.on('close', resolve));
    expect(existsSync(done)).toBe(true);
    expect(await gone(prefix, 5_000)).toBe(true);
    await import('node:fs/promises').then((fs) => fs.rm(done, { force: true }));
  });
});

describe('staged file names', () => {
  it('refuses a name that is not a plain file name', () => {
    expect(() => stagedCommand('p', [{ name: '../x', content: '' }], 'true')).toThrow(/not a plain file name/);
    expect(() => stagedCommand('p', [{ name: 'a b', content: '' }], 'true')).toThrow(/not a plain file name/);
  });
});
