/**
 * Takes a lab down completely and idempotently, also after a `labUp` that crashed halfway: every node is
 * powered off hard, then everything recorded in lab.json is removed newest first. Names derived from the lab
 * name and subnet are swept too, in case a crash came between making something and recording it.
 */
import { readFile, rm, lstat } from 'node:fs/promises';
import { removeCgroup, removeIfEmpty } from './cgroup.js';
import { stopNode } from './daemons.js';
import { exec } from './exec.js';
import { unmountUnder } from './mounts.js';
import { CGROUP_ROOT, bridgeName, globalLabFile, labCgroup, netnsName, subnetClaimFile, utsDir, type Subnet } from './names.js';
import { forwardRules, iptables, removeUts } from './network.js';
import { readState, type LabResource, type LabState } from './state.js';
import type { LabTarget } from './types.js';
import { labDir } from './up.js';

interface GlobalClaim {
  readonly dir?: string;
  readonly subnet?: Subnet;
}

async function readClaim(name: string): Promise<GlobalClaim | undefined> {
  try {
    return JSON.parse(await readFile(globalLabFile(name), 'utf8')) as GlobalClaim;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function linkExists(name: string): Promise<boolean> {
  return (await exec('ip', ['link', 'show', name], { allowFail: true })).code === 0;
}

async function removeResource(r: LabResource): Promise<string | undefined> {
  switch (r.type) {
    case 'dir':
    case 'file': {
      await unmountUnder(r.path);
      if (!(await exists(r.path))) return undefined;
      await rm(r.path, { recursive: true, force: true });
      return `${r.type} ${r.path}`;
    }
    case 'bridge':
    case 'veth': {
      if (!(await linkExists(r.name))) return undefined;
      await exec('ip', ['link', 'del', r.name], { allowFail: true });
      return `${r.type} ${r.name}`;
    }
    case 'netns': {
      const r1 = await exec('ip', ['netns', 'del', r.name], { allowFail: true });
      return r1.code === 0 ? `netns ${r.name}` : undefined;
    }
    case 'iptables': {
      let removed = false;
      // The same rule may have been inserted twice by a retried up; delete until none is left.
      for (let i = 0; i < 10 && (await iptables(['-D', ...r.rule], true)).code === 0; i++) removed = true;
      return removed ? `iptables ${r.rule.join(' ')}` : undefined;
    }
    case 'cgroup': {
      const dirs = await removeCgroup(r.path);
      return dirs.length > 0 ? `cgroup ${r.path}` : undefined;
    }
    case 'uts': {
      const mounted = (await exec('findmnt', ['-n', r.file], { allowFail: true })).code === 0;
      await removeUts(r.file);
      return mounted ? `uts ${r.file}` : undefined;
    }
  }
}

/** What a lab of this name and subnet would have made, for sweeping up after a crash. */
function derivedResources(name: string, dir: string, subnet: Subnet | undefined, netnsList: string): LabResource[] {
  const out: LabResource[] = [];
  if (subnet !== undefined) {
    out.push({ type: 'bridge', name: bridgeName(subnet) });
    for (const rule of forwardRules(bridgeName(subnet))) out.push({ type: 'iptables', rule });
    out.push({ type: 'file', path: subnetClaimFile(subnet) });
  }
  const prefix = netnsName(name, '');
  for (const line of netnsList.split('\n')) {
    const ns = line.split(' ')[0];
    if (ns?.startsWith(prefix) === true) out.push({ type: 'netns', name: ns });
  }
  out.push({ type: 'cgroup', path: labCgroup(name) });
  out.push({ type: 'dir', path: utsDir(name) });
  out.push({ type: 'dir', path: dir });
  out.push({ type: 'file', path: globalLabFile(name) });
  return out;
}

export async function tearDown(t: LabTarget): Promise<{ removed: string[] }> {
  const claim = await readClaim(t.name);
  const dir = t.dir === undefined && claim?.dir !== undefined ? claim.dir : labDir(t);
  const state: LabState | undefined = await readState(dir);
  if (state === undefined && claim === undefined) return { removed: [] };
  const removed: string[] = [];

  for (const node of state?.nodes ?? []) removed.push(...(await stopNode(state!, node, 'hard')));
  // UTS namespace files are mounts too: they go before the directories holding them.
  for (const node of state?.nodes ?? []) {
    const r = await removeResource({ type: 'uts', file: node.uts });
    if (r !== undefined) removed.push(r);
  }
  for (const m of await unmountUnder(dir)) removed.push(`mount ${m}`);

  const recorded = [...(state?.resources ?? [])].reverse();
  const netns = (await exec('ip', ['netns', 'list'], { allowFail: true })).stdout;
  const swept = derivedResources(t.name, dir, state?.subnet ?? claim?.subnet, netns);
  for (const r of [...recorded, ...swept]) {
    const done = await removeResource(r);
    if (done !== undefined && !removed.includes(done)) removed.push(done);
  }
  await removeIfEmpty(CGROUP_ROOT);
  return { removed };
}
