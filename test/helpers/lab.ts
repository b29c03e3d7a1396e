/**
 * Gives a test file a real lab: `withLab()` in beforeAll, `down()` in afterAll. Lab names are unique per test
 * process, and the lab lives under a fresh temporary state directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LabDescription, type LabUpOptions } from '../../engine/lab/commands.js';

let counter = 0;

export interface WithLabOptions extends Partial<Omit<LabUpOptions, 'stateDir' | 'dir'>> {
  /** Keep the state directory between runs (default: a new temporary one). */
  readonly stateDir?: string;
}

export interface LabHandle {
  readonly lab: LabDescription;
  readonly stateDir: string;
  /** Takes the lab down and removes the temporary state directory; safe to call twice. */
  down(): Promise<void>;
}

/** A unique lab name for this test process, e.g. `t4711a`. */
export function uniqueLabName(): string {
  const suffix = String.fromCharCode(97 + (counter++ % 26));
  return `t${process.pid}${suffix}`;
}

/**
 * Brings up a lab (default: 3 nodes, 1 manager, swarm, no registry). If bringing it up fails, what was made is
 * removed before the error is rethrown.
 */
export async function withLab(options: WithLabOptions = {}): Promise<LabHandle> {
  const name = options.name ?? uniqueLabName();
  const ownState = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'rbl-'));
  const target = { name, stateDir };
  const cleanup = async (): Promise<void> => {
    await labDown(target);
    if (ownState) rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const lab = await labUp({
      nodes: 3,
      managers: 1,
      swarm: true,
      registry: false,
      ...options,
      name,
      stateDir,
    });
    return { lab, stateDir, down: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/**
 * What a lab left on the host after `labDown`: namespaces, links, iptables rules, mounts, cgroups, processes,
 * files. Empty when it is all gone.
 */
export function labLeftovers(lab: Pick<LabDescription, 'name' | 'dir' | 'bridge'>): string[] {
  const found: string[] = [];
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    if (line.startsWith(`rbl-${lab.name}-`)) found.push(`netns ${line}`);
  }
  for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
    const ifname = line.split(': ')[1]?.split('@')[0];
    if (ifname !== undefined && (ifname === lab.bridge || ifname.startsWith(`${lab.bridge}n`))) found.push(`link ${ifname}`);
  }
  for (const line of run('iptables', ['-w', '-S']).split('\n')) {
    if (line.includes(lab.bridge)) found.push(`iptables ${line}`);
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4];
    if (point !== undefined && (point.startsWith(lab.dir) || point.startsWith(`/run/runbook-labs/${lab.name}/`))) {
      found.push(`mount ${point}`);
    }
  }
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const candidates = [join('/sys/fs/cgroup', h, 'runbook-lab', lab.name), join('/sys/fs/cgroup', 'runbook-lab', lab.name)];
    for (const c of candidates) if (existsSync(c)) found.push(`cgroup ${c}`);
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(lab.dir) || cmd.includes(`rbl-${lab.name}-`)) found.push(`process ${pid} ${cmd}`);
    } catch {
      // exited while we looked
    }
  }
  for (const path of [lab.dir, `/run/runbook-labs/${lab.name}`, `/run/runbook-labs/${lab.name}.json`]) {
    if (existsSync(path)) found.push(`path ${path}`);
  }
  return [...new Set(found)];
}
