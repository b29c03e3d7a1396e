/**
 * Powers one lab node off or on. Off is a machine going dark (graceful: dockerd shuts down first; hard: the
 * node's cgroup is frozen and killed at once). On is a reboot: the same namespaces and data directories,
 * so swarm membership persists.
 */
import { RunbookError } from '../errors.js';
import { daemonsRunning, startNode, stopNode } from './daemons.js';
import { readState } from './state.js';
import type { LabTarget } from './types.js';
import { labDir } from './up.js';

export async function power(t: LabTarget, nodeName: string, onOff: 'on' | 'off', options: { hard?: boolean } = {}): Promise<void> {
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
  if (onOff === 'off') {
    await stopNode(state, node, options.hard === true ? 'hard' : 'graceful');
    return;
  }
  const running = await daemonsRunning(state, node.name);
  const dockerd = state.light === true || running.dockerd;
  if (dockerd && running.sshd) return;
  // Half up (one daemon died): clear what is left so the node boots from a clean slate.
  if (running.dockerd || running.sshd) await stopNode(state, node, 'hard');
  const fresh = (await readState(dir))!;
  await startNode(
    fresh,
    node,
    fresh.registry === undefined ? {} : { insecureRegistry: `${fresh.registry.address}:5000` },
  );
}
