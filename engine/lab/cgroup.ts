/**
 * One cgroup per node holds its sshd, dockerd, containerd, shims and containers (dockerd's --cgroup-parent),
 * so a hard power-off can freeze the whole node and kill it at once, as a machine losing power would.
 * The v1 freezer is used where mounted; a pure cgroup v2 host uses cgroup.freeze and cgroup.kill.
 */
import { mkdir, readFile, readdir, rmdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface Hierarchy {
  readonly mountPoint: string;
  readonly version: 1 | 2;
  readonly controllers: readonly string[];
}

async function hierarchies(): Promise<Hierarchy[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const found: Hierarchy[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const [fstype, , superOptions] = right.split(' ');
    const mountPoint = left.split(' ')[4];
    if (mountPoint === undefined) continue;
    if (fstype === 'cgroup') found.push({ mountPoint, version: 1, controllers: (superOptions ?? '').split(',') });
    if (fstype === 'cgroup2') found.push({ mountPoint, version: 2, controllers: [] });
  }
  return found;
}

/** The hierarchy whose cgroups the lab freezes and kills: v1 freezer, else a cgroup v2 root. */
async function controlHierarchy(): Promise<Hierarchy> {
  const all = await hierarchies();
  const freezer = all.find((h) => h.version === 1 && h.controllers.includes('freezer'));
  const v2 = all.find((h) => h.version === 2 && h.mountPoint === '/sys/fs/cgroup');
  const chosen = freezer ?? v2;
  if (chosen === undefined) throw new Error('no cgroup v1 freezer and no cgroup v2 at /sys/fs/cgroup');
  return chosen;
}

/** Creates the node's cgroup and returns the cgroup.procs file a process writes itself into. */
export async function createCgroup(rel: string): Promise<string> {
  const h = await controlHierarchy();
  const dir = join(h.mountPoint, rel);
  await mkdir(dir, { recursive: true });
  return join(dir, 'cgroup.procs');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Directories of the cgroup and all its descendants, parents first. */
async function tree(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const out = [dir];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await tree(join(dir, entry.name))));
  }
  return out;
}

/** Every pid in the node's cgroup and its children (its containers). */
export async function pidsIn(rel: string): Promise<number[]> {
  const h = await controlHierarchy();
  const pids: number[] = [];
  for (const dir of await tree(join(h.mountPoint, rel))) {
    try {
      const text = await readFile(join(dir, 'cgroup.procs'), 'utf8');
      pids.push(...text.split('\n').filter((l) => l !== '').map(Number));
    } catch {
      // a container cgroup can vanish while we walk
    }
  }
  return pids;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Freezes the cgroup so nothing can fork or react, SIGKILLs every process in it, thaws so the kills land,
 * and waits until it is empty. Returns the pids killed; `beforeKill` sees them while frozen.
 */
export async function killCgroup(
  rel: string,
  beforeKill: (pids: readonly number[]) => Promise<void> = async () => undefined,
): Promise<number[]> {
  const h = await controlHierarchy();
  const dir = join(h.mountPoint, rel);
  if (!(await exists(dir))) return [];
  const freeze = async (frozen: boolean): Promise<void> => {
    try {
      if (h.version === 1) await writeFile(join(dir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
      else await writeFile(join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
    } catch {
      // an unfreezable cgroup is still killable, only less atomically
    }
  };
  await freeze(true);
  if (h.version === 1) {
    await waitFor(async () => (await readFile(join(dir, 'freezer.state'), 'utf8')).trim() === 'FROZEN', 5_000);
  }
  const pids = await pidsIn(rel);
  await beforeKill(pids);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await freeze(false);
  await waitFor(async () => (await pidsIn(rel)).length === 0, 15_000);
  return pids;
}

/** Removes the cgroup and its descendants from every hierarchy (runc creates container cgroups in all). */
export async function removeCgroup(rel: string): Promise<string[]> {
  const removed: string[] = [];
  for (const h of await hierarchies()) {
    const dirs = (await tree(join(h.mountPoint, rel))).reverse();
    for (const dir of dirs) {
      const ok = await waitFor(async () => {
        try {
          await rmdir(dir);
          return true;
        } catch (e) {
          return (e as NodeJS.ErrnoException).code === 'ENOENT';
        }
      }, 5_000);
      if (ok) removed.push(dir);
    }
  }
  return removed;
}

/** True when a cgroup directory of `rel` remains under any hierarchy. */
export async function cgroupExists(rel: string): Promise<boolean> {
  for (const h of await hierarchies()) {
    if (await exists(join(h.mountPoint, rel))) return true;
  }
  return false;
}

/** Removes the directory `rel` from every hierarchy only where it is empty (other labs may still use it). */
export async function removeIfEmpty(rel: string): Promise<void> {
  for (const h of await hierarchies()) {
    try {
      await rmdir(join(h.mountPoint, rel));
    } catch {
      // in use by another lab, or already gone
    }
  }
}
