/**
 * The lab's wire: a bridge on the host holding `.1`, one network namespace per node joined to it by a veth,
 * and a UTS namespace per node for its hostname. Each thing is recorded in lab.json before it is made.
 */
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { exec } from './exec.js';
import { gatewayAddress, utsDir, type Subnet } from './names.js';
import { recordResource, type LabNodeRecord } from './state.js';

/** `-w` waits for the xtables lock: several labs may change rules at the same moment. */
export function iptables(args: readonly string[], allowFail = false): ReturnType<typeof exec> {
  return exec('iptables', ['-w', '10', ...args], { allowFail });
}

/** Bridge-local traffic is accepted even when a FORWARD policy is DROP; anything leaving is refused at once. */
export function forwardRules(bridge: string): string[][] {
  return [
    ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'],
    ['FORWARD', '-i', bridge, '!', '-o', bridge, '-j', 'REJECT'],
  ];
}

export async function createBridge(dir: string, bridge: string, subnet: Subnet): Promise<void> {
  await recordResource(dir, { type: 'bridge', name: bridge });
  await exec('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await exec('ip', ['addr', 'add', `${gatewayAddress(subnet)}/24`, 'dev', bridge]);
  await exec('ip', ['link', 'set', bridge, 'up']);
  for (const rule of forwardRules(bridge)) {
    await recordResource(dir, { type: 'iptables', rule });
    await iptables(['-I', ...rule]);
  }
}

export function netnsPath(netns: string): string {
  return `/var/run/netns/${netns}`;
}

/** The node's network namespace with `eth0` on the bridge, and its UTS namespace with its hostname. */
export async function createNodeNamespaces(
  dir: string,
  lab: string,
  bridge: string,
  subnet: Subnet,
  node: LabNodeRecord,
): Promise<void> {
  await recordResource(dir, { type: 'netns', name: node.netns });
  await exec('ip', ['netns', 'add', node.netns]);
  await recordResource(dir, { type: 'veth', name: node.veth });
  await exec('ip', ['link', 'add', node.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
  await exec('ip', ['link', 'set', node.veth, 'master', bridge, 'up']);
  const inNs = (args: string[]): ReturnType<typeof exec> => exec('ip', ['-n', node.netns, ...args]);
  await inNs(['addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
  await inNs(['link', 'set', 'eth0', 'up']);
  await inNs(['link', 'set', 'lo', 'up']);
  await inNs(['route', 'add', 'default', 'via', gatewayAddress(subnet)]);

  await recordResource(dir, { type: 'uts', file: node.uts });
  await mkdir(utsDir(lab), { recursive: true });
  await writeFile(node.uts, '');
  await exec('unshare', [`--uts=${node.uts}`, 'hostname', node.name]);
}

/** Removes one UTS namespace file (unmount first: it is a bind mount of the namespace). */
export async function removeUts(file: string): Promise<void> {
  await exec('umount', [file], { allowFail: true });
  await rm(file, { force: true });
}

/** `nsenter` prefix that runs a command as the node: its network and hostname, the host's filesystem. */
export function enterNode(node: Pick<LabNodeRecord, 'netns' | 'uts'>): string[] {
  // Not `ip netns exec`: it remounts /sys, and dockerd then dies with "Devices cgroup isn't mounted".
  return ['nsenter', `--net=${netnsPath(node.netns)}`, `--uts=${node.uts}`, '--'];
}
