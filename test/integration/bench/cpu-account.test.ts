/**
 * The benchmark's control-host CPU account counts a command and what it leaves running: a daemon that
 * detached from it (as an ssh ControlMaster does) is counted too, which the rusage of the command would miss.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuAccount } from '../../../bench/cpu-account.js';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rb-cpu-account-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUSY = 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done';

describe.skipIf(process.getuid?.() !== 0)('CPU account', () => {
  it('counts a detached daemon the command started, and nothing of an idle one', async () => {
    const busy = CpuAccount.open();
    const idle = CpuAccount.open();
    expect(busy, 'no cgroup CPU accounting on this machine').toBeDefined();
    if (busy === undefined || idle === undefined) return;
    const done = join(dir, 'done');
    // The command returns at once; its grandchild, in a session of its own, does the work afterwards.
    await exec(...busy.wrap('/bin/sh', ['-c', `setsid /bin/sh -c '${BUSY}; touch ${done}' >/dev/null 2>&1 &`]));
    await exec(...idle.wrap('/bin/sh', ['-c', 'true']));
    for (let i = 0; i < 300 && !existsSync(done); i++) await sleep(100);
    expect(existsSync(done)).toBe(true);
    expect(busy.usedMs()).toBeGreaterThan(100);
    expect(idle.usedMs()).toBeLessThan(50);
    await busy.close();
    await idle.close();
  }, 60_000);
});
