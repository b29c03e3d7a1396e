/**
 * The lab's record, DIR/lab.json: everything the lab creates is written here before it is created, so
 * `labDown` can undo a `labUp` that crashed halfway. Updates are serialised by a lock file because power
 * commands of several nodes may run at once from separate processes.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { RunbookError } from '../errors.js';
import type { Subnet } from './names.js';

/** Something on the host the lab made and labDown must remove. */
export type LabResource =
  | { readonly type: 'dir'; readonly path: string }
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'bridge'; readonly name: string }
  | { readonly type: 'netns'; readonly name: string }
  | { readonly type: 'veth'; readonly name: string }
  /** An iptables rule in table filter: the chain and its match, as given after `-I`/`-D`. */
  | { readonly type: 'iptables'; readonly rule: readonly string[] }
  /** A cgroup path relative to each hierarchy's root. */
  | { readonly type: 'cgroup'; readonly path: string }
  | { readonly type: 'uts'; readonly file: string };

/** A daemon the lab started; `match` must appear in /proc/PID/cmdline before it is signalled. */
export interface LabProcess {
  readonly node: string;
  readonly kind: 'dockerd' | 'sshd';
  readonly pid: number;
  readonly match: string;
}

export interface LabNodeRecord {
  readonly name: string;
  readonly index: number;
  readonly address: string;
  readonly role: 'manager' | 'worker';
  readonly labels: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly netns: string;
  readonly veth: string;
  readonly uts: string;
  readonly cgroup: string;
}

export interface LabState {
  readonly v: 1;
  readonly name: string;
  readonly dir: string;
  readonly subnet: Subnet;
  readonly bridge: string;
  readonly swarm: boolean;
  /** Light nodes: sshd only, no dockerd (absent in records of labs made before light nodes existed). */
  readonly light?: boolean;
  /** Node that runs the registry stack, and its `host:5000`. */
  readonly registry?: { readonly node: string; readonly address: string };
  readonly nodes: readonly LabNodeRecord[];
  readonly resources: readonly LabResource[];
  readonly processes: readonly LabProcess[];
  readonly phase: 'creating' | 'up';
}

export function stateFile(dir: string): string {
  return join(dir, 'lab.json');
}

export async function readState(dir: string): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as LabState;
    if (parsed.v !== 1) throw new Error(`unknown version ${String(parsed.v)}`);
    return parsed;
  } catch (e) {
    throw new RunbookError('INTERNAL', `${stateFile(dir)} is not a lab record: ${(e as Error).message}`, { cause: e });
  }
}

async function writeState(state: LabState): Promise<void> {
  const file = stateFile(state.dir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}

export async function createState(state: LabState): Promise<void> {
  await mkdir(state.dir, { recursive: true });
  await writeState(state);
}

/** Read-modify-write of lab.json under the lab's lock. */
export async function updateState(dir: string, change: (s: LabState) => LabState): Promise<LabState> {
  const release = await lockfile.lock(dir, {
    lockfilePath: join(dir, 'lab.json.lock'),
    realpath: false,
    stale: 15_000,
    retries: { retries: 200, minTimeout: 5, maxTimeout: 100 },
  });
  try {
    const current = await readState(dir);
    if (current === undefined) throw new RunbookError('NOT_FOUND', `no lab record in ${dir}`);
    const next = change(current);
    await writeState(next);
    return next;
  } finally {
    await release();
  }
}

/** Records a resource before the caller creates it. */
export function recordResource(dir: string, resource: LabResource): Promise<LabState> {
  return updateState(dir, (s) => ({ ...s, resources: [...s.resources, resource] }));
}

export function recordProcess(dir: string, proc: LabProcess): Promise<LabState> {
  return updateState(dir, (s) => ({
    ...s,
    processes: [...s.processes.filter((p) => !(p.node === proc.node && p.kind === proc.kind)), proc],
  }));
}

export function forgetProcesses(dir: string, node: string): Promise<LabState> {
  return updateState(dir, (s) => ({ ...s, processes: s.processes.filter((p) => p.node !== node) }));
}
