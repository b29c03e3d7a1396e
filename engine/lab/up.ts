/**
 * Brings a lab up from a list of node specs: claims a name and a subnet, records every resource in lab.json
 * before making it, builds the wire and the nodes, starts their daemons, imports images, forms the swarm,
 * deploys the registry and writes the inventory. Light nodes stop after sshd: no dockerd, images or swarm.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { RunbookError, describeError, isRunbookError } from '../errors.js';
import { daemonsRunning, dockerdOptions, startNode } from './daemons.js';
import { BUSYBOX_IMAGE, REGISTRY_IMAGE, buildImages, importImage } from './images.js';
import {
  bridgeName,
  checkLabName,
  checkNodeName,
  globalLabFile,
  labCgroup,
  netnsName,
  nodeAddress,
  nodeCgroup,
  subnetCidr,
  subnetClaimFile,
  utsDir,
  utsFile,
  vethName,
  GLOBAL_DIR,
} from './names.js';
import { makeRoomForNeighbours } from './neighbours.js';
import { createBridge, createNodeNamespaces } from './network.js';
import { dockerSocket, writeClientKey, writeKnownHosts, writeNodeFiles } from './node-files.js';
import { deployRegistry } from './registry.js';
import { claimSubnet } from './subnet.js';
import { formSwarm } from './swarm.js';
import { createState, readState, updateState, type LabNodeRecord, type LabState } from './state.js';
import type { LabDescription, LabTarget } from './types.js';
import { writeInventory, type InventoryStack } from './write-inventory.js';

/** One node to create. */
export interface NodeSpec {
  readonly name: string;
  readonly role: 'manager' | 'worker';
  readonly labels: Readonly<Record<string, string>>;
}

export interface UpPlan {
  readonly target: LabTarget;
  readonly nodes: readonly NodeSpec[];
  readonly swarm: boolean;
  readonly registry: boolean;
  /** Nodes with sshd only, no dockerd. */
  readonly light: boolean;
  /** Node that hosts the registry; default the first manager. */
  readonly registryNode?: string;
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Stacks listed in the inventory besides the registry; their compose files are copied into the lab. */
  readonly stacks: readonly InventoryStack[];
  readonly log: (line: string) => void;
}

/** Nodes take .2 upwards of the lab's /24 (the host holds .1), so at most 253 would fit. */
export const MAX_NODES = 200;

export function labDir(t: LabTarget): string {
  return resolve(t.dir ?? join(t.stateDir, 'labs', t.name));
}

function downHint(t: LabTarget, dir: string): string {
  return `runbook lab down --name ${t.name} --dir ${dir}`;
}

/** Unix socket paths hold at most 107 bytes; containerd's socket sits deepest under a node's directory. */
function checkDirLength(dir: string, nodes: readonly NodeSpec[]): void {
  const longest = Math.max(...nodes.map((n) => n.name.length));
  const socket = join(dir, 'x'.repeat(longest), 'exec', 'containerd', 'containerd.sock');
  if (socket.length > 100) {
    throw new RunbookError(
      'INVALID',
      `lab directory ${dir} is too long for the unix sockets under it (${socket.length} > 100 bytes); write a shorter --dir or --state-dir`,
    );
  }
}

export function checkPlan(plan: UpPlan): void {
  checkLabName(plan.target.name);
  const names = new Set<string>();
  for (const n of plan.nodes) {
    checkNodeName(n.name);
    if (names.has(n.name)) throw new RunbookError('INVALID', `node name ${n.name} appears twice; give each node its own name`);
    names.add(n.name);
  }
  if (plan.nodes.length < 1 || plan.nodes.length > MAX_NODES) {
    throw new RunbookError('INVALID', `a lab holds 1 to ${MAX_NODES} nodes, not ${plan.nodes.length}; write e.g. --nodes 5`);
  }
  if (plan.swarm && !plan.nodes.some((n) => n.role === 'manager')) {
    throw new RunbookError('INVALID', 'a swarm needs at least one manager; write --managers 1 or more');
  }
  if (plan.light && (plan.swarm || plan.registry)) {
    throw new RunbookError(
      'INVALID',
      'light nodes run no dockerd, so they form no swarm and serve no registry; drop --swarm and --registry, or drop --light',
    );
  }
  if (plan.registry && !plan.swarm) {
    throw new RunbookError('INVALID', 'the registry runs as a swarm stack; add --swarm, or drop --registry');
  }
  checkDirLength(labDir(plan.target), plan.nodes);
}

/** Claims the lab name machine-wide; refuses when a lab of that name exists or the directory is not free. */
async function claimName(t: LabTarget, dir: string): Promise<void> {
  await mkdir(GLOBAL_DIR, { recursive: true, mode: 0o755 });
  try {
    await writeFile(globalLabFile(t.name), `${JSON.stringify({ name: t.name, dir })}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    let other = dir;
    try {
      other = (JSON.parse(await readFile(globalLabFile(t.name), 'utf8')) as { dir: string }).dir;
    } catch {
      // unreadable claim: point at our own dir
    }
    throw new RunbookError(
      'INVALID',
      `a lab named ${t.name} already exists (in ${other}); choose another --name, or take it down first: ${downHint(t, other)}`,
    );
  }
}

async function checkDirFree(t: LabTarget, dir: string): Promise<void> {
  if ((await readState(dir)) !== undefined) {
    throw new RunbookError('INVALID', `${dir} already holds a lab; take it down first: ${downHint(t, dir)}`);
  }
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  if (entries.length > 0) {
    throw new RunbookError('INVALID', `${dir} is not empty and holds no lab; write another --dir`);
  }
}

function nodeRecords(dir: string, lab: string, plan: UpPlan, subnet: LabState['subnet']): LabNodeRecord[] {
  return plan.nodes.map((spec, index) => ({
    name: spec.name,
    index,
    address: nodeAddress(subnet, index),
    role: spec.role,
    labels: spec.labels,
    dir: join(dir, spec.name),
    netns: netnsName(lab, spec.name),
    veth: vethName(subnet, index),
    uts: utsFile(lab, spec.name),
    cgroup: nodeCgroup(lab, spec.name),
  }));
}

/** Health URLs of a shaped inventory name real hosts; point them at the lab node of the same name. */
export function relinkHealth(url: string, nodes: readonly Pick<LabNodeRecord, 'name' | 'address'>[]): string {
  return url.replace(/^(\w+:\/\/)([^/:]+)/, (whole, scheme: string, host: string) => {
    const node = nodes.find((n) => n.name === host);
    return node === undefined ? whole : `${scheme}${node.address}`;
  });
}

export async function describe(state: LabState, inventory: string): Promise<LabDescription> {
  const nodes = [];
  for (const n of state.nodes) {
    const running = await daemonsRunning(state, n.name);
    nodes.push({
      name: n.name,
      address: n.address,
      role: n.role,
      ssh: { port: 22 as const },
      dockerSocket: dockerSocket(n),
      up: running.sshd && (state.light === true || running.dockerd),
    });
  }
  return {
    name: state.name,
    dir: state.dir,
    subnet: subnetCidr(state.subnet),
    bridge: state.bridge,
    inventory,
    nodes,
    ...(state.registry === undefined ? {} : { registry: `${state.registry.address}:5000` }),
  };
}

async function importImages(
  nodes: readonly LabNodeRecord[],
  tars: Awaited<ReturnType<typeof buildImages>>,
  registryHost: LabNodeRecord | undefined,
  log: (line: string) => void,
): Promise<void> {
  const limit = pLimit(4);
  await Promise.all(
    nodes.map((n) =>
      limit(async () => {
        await importImage(dockerSocket(n), tars.busybox, BUSYBOX_IMAGE);
        if (n === registryHost && tars.registry !== undefined) await importImage(dockerSocket(n), tars.registry, REGISTRY_IMAGE);
      }),
    ),
  );
  log(`imported ${BUSYBOX_IMAGE}${registryHost === undefined ? '' : ` and ${REGISTRY_IMAGE}`}`);
}

async function build(plan: UpPlan, dir: string): Promise<LabDescription> {
  const { target, log } = plan;
  const lab = target.name;
  await mkdir(dir, { recursive: true });
  const subnet = await claimSubnet(lab, dir);
  await writeFile(globalLabFile(lab), `${JSON.stringify({ name: lab, dir, subnet })}\n`);
  const nodes = nodeRecords(dir, lab, plan, subnet);
  const firstManager = nodes.find((n) => n.role === 'manager');
  const registryHost = plan.registry
    ? (nodes.find((n) => n.name === plan.registryNode) ?? firstManager)
    : undefined;
  await createState({
    v: 1,
    name: lab,
    dir,
    subnet,
    bridge: bridgeName(subnet),
    swarm: plan.swarm,
    ...(plan.light ? { light: true } : {}),
    ...(registryHost === undefined ? {} : { registry: { node: registryHost.name, address: registryHost.address } }),
    nodes,
    resources: [
      { type: 'file', path: globalLabFile(lab) },
      { type: 'file', path: subnetClaimFile(subnet) },
      { type: 'dir', path: dir },
      { type: 'dir', path: utsDir(lab) },
      { type: 'cgroup', path: labCgroup(lab) },
    ],
    processes: [],
    phase: 'creating',
  });
  log(`lab ${lab}: ${nodes.length} nodes on ${subnetCidr(subnet)} (bridge ${bridgeName(subnet)})`);

  const room = await makeRoomForNeighbours(nodes.length, plan.light);
  if (room !== undefined) log(`lab ${lab}: the kernel's ARP table may now hold ${room.gcThresh3} entries (net.ipv4.neigh.default.gc_thresh3), for ${nodes.length} nodes`);
  const images = plan.light ? undefined : buildImages(dir, plan.registry);
  // Awaited below; until then a failure must not count as unhandled.
  images?.catch(() => undefined);
  await createBridge(dir, bridgeName(subnet), subnet);
  await writeClientKey(dir, lab);
  const limit = pLimit(4);
  await Promise.all(
    nodes.map((n) =>
      limit(async () => {
        await createNodeNamespaces(dir, lab, bridgeName(subnet), subnet, n);
        await writeNodeFiles(dir, n);
      }),
    ),
  );
  await writeKnownHosts(dir, nodes);
  const state = (await readState(dir))!;
  await Promise.all(nodes.map((n) => limit(() => startNode(state, n, dockerdOptions(state)))));
  log(`${plan.light ? 'sshd' : 'sshd and dockerd'} up on ${nodes.length} nodes`);
  if (images !== undefined) await importImages(nodes, await images, registryHost, log);

  if (plan.swarm) await formSwarm(nodes, log);
  if (registryHost !== undefined && firstManager !== undefined) await deployRegistry(dir, firstManager, registryHost, log);

  const stacks: InventoryStack[] = [];
  for (const stack of plan.stacks) {
    const compose = join(dir, 'stacks', `${stack.name}.yml`);
    await mkdir(join(dir, 'stacks'), { recursive: true });
    await copyFile(stack.compose, compose);
    const health = stack.health === undefined ? {} : { health: relinkHealth(stack.health, nodes) };
    stacks.push({ ...stack, compose, ...health });
  }
  const final = await updateState(dir, (s) => ({ ...s, phase: 'up' }));
  const inventory = await writeInventory(final, plan.groups, stacks);
  log(`inventory written to ${inventory}`);
  return describe(final, inventory);
}

/** Validates the plan, then builds the lab; a failure after the first resource names the cleanup command. */
export async function bringUp(plan: UpPlan): Promise<LabDescription> {
  checkPlan(plan);
  const dir = labDir(plan.target);
  await checkDirFree(plan.target, dir);
  await claimName(plan.target, dir);
  try {
    return await build(plan, dir);
  } catch (e) {
    const code = isRunbookError(e) ? e.code : 'INTERNAL';
    throw new RunbookError(
      code === 'INVALID' ? 'COMMAND_FAILED' : code,
      `lab ${plan.target.name} did not come up: ${describeError(e)}; remove what was made with: ${downHint(plan.target, dir)}`,
      { cause: e, details: isRunbookError(e) ? e.details : [] },
    );
  }
}
