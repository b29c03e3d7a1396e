/**
 * How a lab names what it creates on the host. Pure: the same lab name and subnet always give the same names,
 * so `labDown` can find leftovers of a crashed `labUp` even without its record.
 */
import { RunbookError } from '../errors.js';

/** Where every lab on this machine registers its name and subnet (tmpfs: gone with the namespaces on reboot). */
export const GLOBAL_DIR = '/run/runbook-labs';

/** Top cgroup under each hierarchy; each lab and node nests below it. */
export const CGROUP_ROOT = 'runbook-lab';

const LAB_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Throws INVALID unless `name` can name a lab. */
export function checkLabName(name: string): void {
  if (!LAB_NAME.test(name)) {
    throw new RunbookError(
      'INVALID',
      `lab name "${name}" is not usable; write a lowercase name of 1-31 letters, digits or '-', starting with a letter (e.g. --name dev)`,
    );
  }
}

/** Throws INVALID unless `name` can be a node hostname. */
export function checkNodeName(name: string): void {
  if (!NODE_NAME.test(name)) {
    throw new RunbookError(
      'INVALID',
      `node name "${name}" cannot be a hostname; use letters, digits and '-' (e.g. node1)`,
    );
  }
}

/** A claimed /24 inside 10.231.0.0-10.250.255.0: its second and third octets. */
export interface Subnet {
  readonly a: number;
  readonly b: number;
}

export function subnetCidr(s: Subnet): string {
  return `10.${s.a}.${s.b}.0/24`;
}

export function gatewayAddress(s: Subnet): string {
  return `10.${s.a}.${s.b}.1`;
}

/** Node i (0-based) gets .2, .3, … */
export function nodeAddress(s: Subnet, index: number): string {
  return `10.${s.a}.${s.b}.${index + 2}`;
}

/** Linux interface names hold at most 15 bytes; the subnet is unique per lab, so it names the bridge. */
export function bridgeName(s: Subnet): string {
  return `rbl${s.a}-${s.b}`;
}

export function vethName(s: Subnet, index: number): string {
  return `rbl${s.a}-${s.b}n${index}`;
}

export function netnsName(lab: string, node: string): string {
  return `rbl-${lab}-${node}`;
}

/** Relative cgroup path of a node (the same under every hierarchy). */
export function nodeCgroup(lab: string, node: string): string {
  return `${CGROUP_ROOT}/${lab}/${node}`;
}

export function labCgroup(lab: string): string {
  return `${CGROUP_ROOT}/${lab}`;
}

export function globalLabFile(lab: string): string {
  return `${GLOBAL_DIR}/${lab}.json`;
}

export function subnetClaimFile(s: Subnet): string {
  return `${GLOBAL_DIR}/subnet-10.${s.a}.${s.b}.json`;
}

/** Holds the files that keep each node's UTS namespace alive. */
export function utsDir(lab: string): string {
  return `${GLOBAL_DIR}/${lab}`;
}

export function utsFile(lab: string, node: string): string {
  return `${utsDir(lab)}/${node}.uts`;
}
