import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRunDir } from '../../../engine/journal/file-store.js';
import { acquireRunLock } from '../../../engine/journal/lock.js';
import type { LockHolder } from '../../../engine/journal/run-store.js';
import { JournalWriter } from '../../../engine/journal/writer.js';

const root = resolve(import.meta.dirname, '../../..');
const key = { cluster: 'dccn', runbook: 'emergency-shutdown', scope: 'cluster' } as const;
const holder = (runId: string, pid = process.pid, runbook = 'emergency-shutdown'): LockHolder => ({ pid, host: hostname(), startedAt: '2026-11-22T04:12:33Z', runId, runbook });

let stateDir: string;
let childDir: string;
const children: ChildProcess[] = [];

/** The lock module compiled to plain JS so a separate `node` process can take the lock. */
beforeAll(async () => {
  childDir = await mkdtemp(join(tmpdir(), 'lock-child-'));
  for (const file of ['engine/errors.ts', 'engine/on-first-use.ts', 'engine/journal/run-store.ts', 'engine/journal/lock.ts']) {
    const out = ts.transpileModule(await readFile(join(root, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const target = join(childDir, file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, out.outputText);
  }
  await writeFile(join(childDir, 'package.json'), '{"type":"module"}');
  await symlink(join(root, 'node_modules'), join(childDir, 'node_modules'));
  await writeFile(
    join(childDir, 'hold.js'),
    `import { hostname } from 'node:os';
import { acquireRunLock } from './engine/journal/lock.js';
const [stateDir, cluster, runbook] = process.argv.slice(2);
await acquireRunLock(stateDir, { cluster, runbook, scope: 'cluster' }, { pid: process.pid, host: hostname(), startedAt: '2026-11-22T05:00:00Z', runId: 'child-run', runbook });
console.log('READY');
setInterval(() => {}, 1000);
`,
  );
  // Tries once: prints WON and holds, or prints the refusal's code and exits.
  await writeFile(
    join(childDir, 'try.js'),
    `import { hostname } from 'node:os';
import { acquireRunLock } from './engine/journal/lock.js';
const [stateDir, cluster, runbook, runId] = process.argv.slice(2);
try {
  await acquireRunLock(stateDir, { cluster, runbook, scope: 'cluster' }, { pid: process.pid, host: hostname(), startedAt: '2026-11-22T05:00:00Z', runId, runbook });
  console.log('WON');
  setInterval(() => {}, 1000);
} catch (e) {
  console.log(e.code ?? String(e));
  process.exit(0);
}
`,
  );
});
afterAll(async () => {
  await rm(childDir, { recursive: true, force: true });
});
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lock-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(stateDir, { recursive: true, force: true });
});

function holdInChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(childDir, 'hold.js'), stateDir, key.cluster, key.runbook], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolveReady, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY')) resolveReady(child);
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`lock holder exited ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

describe('run lock', () => {
  it('refuses a second run on the cluster in the same process, whatever its runbook, naming the holder; free again after release', async () => {
    const lock = await acquireRunLock(stateDir, key, holder('run-1'));
    const busy = `cluster "dccn" is busy: runbook "emergency-shutdown" holds its lock (one run that changes a cluster at a time): pid ${process.pid} on host ${hostname()} since 2026-11-22T04:12:33Z, run run-1`;
    await expect(acquireRunLock(stateDir, key, holder('run-2'))).rejects.toMatchObject({ code: 'LOCKED', message: busy });
    // A second operator's drain on the same cluster waits for the shutdown too.
    await expect(acquireRunLock(stateDir, { ...key, runbook: 'drain-node' }, holder('run-3', process.pid, 'drain-node'))).rejects.toMatchObject({ code: 'LOCKED', message: busy });
    // Another cluster is not blocked.
    const other = await acquireRunLock(stateDir, { ...key, cluster: 'lab' }, holder('run-3'));
    await lock.release();
    await lock.release();
    const again = await acquireRunLock(stateDir, key, holder('run-4'));
    await again.release();
    await other.release();
  });

  it('refuses while a live child process holds it, and takes it over after kill -9', async () => {
    const child = await holdInChild();
    await expect(acquireRunLock(stateDir, key, holder('mine'))).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringContaining(`pid ${child.pid} on host ${hostname()}`),
    });
    child.kill('SIGKILL');
    await exited(child);
    const lock = await acquireRunLock(stateDir, key, holder('mine'));
    const recorded = JSON.parse(await readFile(join(stateDir, 'locks', 'cluster--dccn.holder.json'), 'utf8')) as LockHolder;
    expect(recorded.runId).toBe('mine');
    await lock.release();
  });

  it('takes over a lock whose taker was killed before it could name itself (only its candidate record is left)', async () => {
    const dead = spawn('true');
    await exited(dead);
    await mkdir(join(stateDir, 'locks', 'cluster--dccn.lock'), { recursive: true });
    await writeFile(join(stateDir, 'locks', `cluster--dccn.candidate-${dead.pid}-abcdef.json`), JSON.stringify(holder('dead-run', dead.pid)));
    const lock = await acquireRunLock(stateDir, key, holder('mine'));
    const recorded = JSON.parse(await readFile(join(stateDir, 'locks', 'cluster--dccn.holder.json'), 'utf8')) as LockHolder;
    expect(recorded.runId).toBe('mine');
    expect((await readdir(join(stateDir, 'locks'))).filter((f) => f.includes('candidate'))).toEqual([]);
    await lock.release();
  });

  it('a zombie holder (killed, never reaped) is dead, and so is a holder whose pid now belongs to another process', async () => {
    // `sleep 0.1` exits first and its parent, exec'd into `sleep 5`, never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const zombie = Number(await new Promise<string>((r) => parent.stdout?.once('data', (d: Buffer) => r(d.toString().trim()))));
    for (let i = 0; i < 100 && !(await readFile(`/proc/${zombie}/stat`, 'utf8')).includes(') Z '); i += 1) await new Promise((r) => setTimeout(r, 20));
    await mkdir(join(stateDir, 'locks', 'cluster--dccn.lock'), { recursive: true });
    await writeFile(join(stateDir, 'locks', 'cluster--dccn.holder.json'), JSON.stringify(holder('zombie-run', zombie)));
    const lock = await acquireRunLock(stateDir, key, holder('after-zombie'));
    await lock.release();

    await mkdir(join(stateDir, 'locks', 'cluster--dccn.lock'), { recursive: true });
    // This process is alive, but not the one that started at tick 1: the pid was reused.
    await writeFile(join(stateDir, 'locks', 'cluster--dccn.holder.json'), JSON.stringify({ ...holder('old-run'), pidStart: 1 }));
    const again = await acquireRunLock(stateDir, key, holder('after-reuse'));
    await again.release();
  });

  it('of several processes taking it at the same moment, exactly one wins; the rest are refused naming it', async () => {
    const tries = Array.from({ length: 6 }, (_, i) => {
      const child = spawn(process.execPath, [join(childDir, 'try.js'), stateDir, key.cluster, key.runbook, `run-${i}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return new Promise<string>((resolveLine) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolveLine(out.trim());
        });
        child.on('exit', () => resolveLine(out.trim()));
      });
    });
    const said = await Promise.all(tries);
    expect(said.filter((l) => l === 'WON')).toHaveLength(1);
    expect(said.filter((l) => l === 'LOCKED')).toHaveLength(5);
  });

  it('a lock removed while held, or taken over, is found lost at the next check: the run must stop', async () => {
    const lost: Error[] = [];
    const lock = await acquireRunLock(stateDir, key, holder('run-1'), { onLost: (e) => lost.push(e) });
    expect(() => lock.check()).not.toThrow();
    await rm(join(stateDir, 'locks', 'cluster--dccn.lock'), { recursive: true });
    expect(() => lock.check()).toThrow(expect.objectContaining({ code: 'LOCK_LOST', message: expect.stringContaining('it was removed') }));
    expect(lost).toHaveLength(1);
    await lock.release();

    const second = await acquireRunLock(stateDir, key, holder('run-2'));
    // Another process judged it stale and took it: the holder record names the other run now.
    await writeFile(join(stateDir, 'locks', 'cluster--dccn.holder.json'), JSON.stringify(holder('thief')));
    expect(() => second.check()).toThrow(expect.objectContaining({ code: 'LOCK_LOST', message: expect.stringContaining('names another run') }));
    await second.release();
    // The thief's record is not removed by the run that lost the lock.
    expect(JSON.parse(await readFile(join(stateDir, 'locks', 'cluster--dccn.holder.json'), 'utf8'))).toMatchObject({ runId: 'thief' });
  });

  it('leaves no descriptor of the lock or the journal to spawned commands', async () => {
    const lock = await acquireRunLock(stateDir, key, holder('run-1'));
    const writer = await JournalWriter.open(await createRunDir(stateDir, 'run-1'));
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    const fds = await readdir(`/proc/${child.pid}/fd`);
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${child.pid}/fd/${fd}`).catch(() => '')));
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => t.startsWith(stateDir))).toEqual([]);
    await writer.close();
    await lock.release();
  });
});
