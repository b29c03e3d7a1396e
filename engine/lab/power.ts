/**
 * Powers one lab node off or on. Off is a machine going dark (graceful: dockerd shuts down first; hard: the
 * node's cgroup is frozen and killed at once). On is a reboot: the same namespaces and data directories,
 * so swarm membership persists. Each real switch (not a no-op on a node already in that state) is appended to
 * the lab's power.log, so that a soak or an operator can count how often a node was really switched.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import { daemonsRunning, dockerdOptions, startNode, startNodeDockerd, stopNode } from './daemons.js';
import type { LabNodeRecord, LabState } from './state.js';
import { readState } from './state.js';
import type { LabTarget } from './types.js';
import { labDir } from './up.js';

async function labNode(t: LabTarget, nodeName: string): Promise<{ dir: string; state: LabState; node: LabNodeRecord }> {
  const dir = labDir(t);
  const state = await readState(dir);
  if (state === undefined) {
    throw new RunbookError('INVALID', `no lab ${t.name} in ${dir}; bring one up with: runbook lab up --name ${t.name}`);
  }
  const node = state.nodes.find((n) => n.name === nodeName);
  if (node === undefined) {
    throw new RunbookError(
      'INVALID',
      `lab ${t.name} has no node ${nodeName}; write one of: ${state.nodes.map((n) => n.name).join(', ')}`,
    );
  }
  return { dir, state, node };
}

export async function power(t: LabTarget, nodeName: string, onOff: 'on' | 'off', options: { hard?: boolean } = {}): Promise<void> {
  const { dir, state, node } = await labNode(t, nodeName);
  const running = await daemonsRunning(state, node.name);
  if (onOff === 'off') {
    await stopNode(state, node, options.hard === true ? 'hard' : 'graceful');
    if (running.dockerd || running.sshd) await recordSwitch(dir, node.name, 'off');
    return;
  }
  const dockerd = state.light === true || running.dockerd;
  if (dockerd && running.sshd) return;
  // Half up (one daemon died): clear what is left so the node boots from a clean slate.
  if (running.dockerd || running.sshd) await stopNode(state, node, 'hard');
  const fresh = (await readState(dir))!;
  await startNode(
    fresh,
    node,
    dockerdOptions(fresh),
  );
  await recordSwitch(dir, node.name, 'on');
}

/**
 * Starts the dockerd of a node that is on (its sshd runs) and waits until it answers: `systemctl start docker`
 * on the node. Not a power switch, so not in power.log.
 */
export async function dockerdOn(t: LabTarget, nodeName: string): Promise<void> {
  const { state, node } = await labNode(t, nodeName);
  if (state.light === true) throw new RunbookError('INVALID', `lab ${t.name} is light: its nodes have no dockerd`);
  const running = await daemonsRunning(state, node.name);
  if (!running.sshd) throw new RunbookError('INVALID', `${node.name} is powered off; power it on with: runbook lab power on ${node.name} --name ${t.name}`);
  if (running.dockerd) return;
  await startNodeDockerd(state, node, dockerdOptions(state));
}

export interface PowerSwitchRecord {
  readonly at: string;
  readonly node: string;
  readonly power: 'on' | 'off';
}

/** The lab's power.log: one JSON line per real switch, in the order they happened. */
export const POWER_LOG = 'power.log';

async function recordSwitch(dir: string, node: string, power: 'on' | 'off'): Promise<void> {
  const record: PowerSwitchRecord = { at: new Date().toISOString(), node, power };
  // One short line per append: O_APPEND keeps concurrent switches of several nodes whole.
  await appendFile(join(dir, POWER_LOG), `${JSON.stringify(record)}\n`);
}
