/**
 * The CPU time a command costs the control host: the command and every process it starts, daemons included
 * (Ansible's forks, its ssh clients and the ControlMaster processes they leave behind), counted by a cgroup
 * of its own. On the lab the nodes share this machine's cores, so wall time mixes in the nodes' work; the
 * control host's CPU is what a fan-out to hundreds of real machines is bound by.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** cgroup v1's cpuacct controller, or the v2 hierarchy; undefined when neither can be used. */
function hierarchy(): { readonly root: string; readonly v2: boolean } | undefined {
  if (existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage')) return { root: '/sys/fs/cgroup/cpuacct', v2: false };
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return { root: '/sys/fs/cgroup', v2: true };
  return undefined;
}

let serial = 0;

/** A cgroup that a command joins before it starts; `usedMs()` is the CPU of all that ran in it. */
export class CpuAccount {
  private constructor(
    private readonly dir: string,
    private readonly v2: boolean,
  ) {}

  /** A new, empty account; undefined where this machine offers no cgroup to count in (not root, no cpuacct). */
  static open(): CpuAccount | undefined {
    const h = hierarchy();
    if (h === undefined || process.getuid?.() !== 0) return undefined;
    const dir = join(h.root, `runbook-bench-${process.pid}-${serial++}`);
    try {
      mkdirSync(dir);
    } catch {
      return undefined;
    }
    return new CpuAccount(dir, h.v2);
  }

  /** The command line that puts `program` into this account, then runs it with `args` (the shell execs it). */
  wrap(program: string, args: readonly string[]): [string, string[]] {
    return ['/bin/sh', ['-c', `echo $$ > ${join(this.dir, 'cgroup.procs')} && exec "$@"`, 'sh', program, ...args]];
  }

  usedMs(): number {
    if (this.v2) {
      const usec = /^usage_usec (\d+)$/m.exec(readFileSync(join(this.dir, 'cpu.stat'), 'utf8'))?.[1];
      return Number(usec ?? Number.NaN) / 1000;
    }
    return Number(readFileSync(join(this.dir, 'cpuacct.usage'), 'utf8').trim()) / 1e6;
  }

  /** Removes the cgroup once its last process has gone (a closing ControlMaster takes a moment), for at most 5 s. */
  async close(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const procs = readFileSync(join(this.dir, 'cgroup.procs'), 'utf8').trim();
      if (procs === '') break;
      await sleep(100);
    }
    try {
      rmdirSync(this.dir);
    } catch {
      // A process outlived the wait; the empty directory check of a later run is not ours to fail.
    }
  }
}

/** The accounts this process left behind (a benchmark killed mid-way), removed where they are empty. */
export function removeStaleAccounts(): void {
  const h = hierarchy();
  if (h === undefined) return;
  for (const entry of readdirSync(h.root)) {
    if (!entry.startsWith('runbook-bench-')) continue;
    const pid = Number(entry.split('-')[2]);
    if (existsSync(`/proc/${pid}`)) continue;
    try {
      rmdirSync(join(h.root, entry));
    } catch {
      // still holds a process
    }
  }
}
