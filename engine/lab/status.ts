/**
 * What a lab looks like right now: each node's daemons, whether its Docker API answers, the swarm as the first
 * answering manager sees it, and the registry. Read-only, and every probe has a deadline.
 */
import { daemonsRunning } from './daemons.js';
import { pingDocker } from './docker-api.js';
import { subnetCidr } from './names.js';
import { dockerSocket } from './node-files.js';
import { httpStatus, registryUrl } from './registry.js';
import { readState } from './state.js';
import { listNodes, nodeView } from './swarm.js';
import type { LabNodeStatus, LabStatusReport, LabTarget, SwarmView } from './types.js';
import { labDir } from './up.js';
import { describeError } from '../errors.js';

export async function statusOf(t: LabTarget): Promise<LabStatusReport> {
  const dir = labDir(t);
  const state = await readState(dir);
  if (state === undefined) return { name: t.name, dir, exists: false, nodes: [], swarm: { type: 'none' } };
  const nodes: LabNodeStatus[] = await Promise.all(
    state.nodes.map(async (n) => {
      const running = await daemonsRunning(state, n.name);
      return {
        name: n.name,
        address: n.address,
        role: n.role,
        dockerd: running.dockerd,
        sshd: running.sshd,
        api: running.dockerd && (await pingDocker(dockerSocket(n))),
      };
    }),
  );
  let swarm: SwarmView = { type: 'none' };
  if (state.swarm) {
    swarm = { type: 'unavailable', error: 'no manager is running' };
    for (const n of state.nodes.filter((x) => x.role === 'manager')) {
      if (nodes.find((s) => s.name === n.name)?.api !== true) continue;
      try {
        swarm = { type: 'ok', via: n.name, nodes: (await listNodes(dockerSocket(n), 5_000)).map(nodeView) };
        break;
      } catch (e) {
        swarm = { type: 'unavailable', error: `${n.name}: ${describeError(e)}` };
      }
    }
  }
  const registry =
    state.registry === undefined
      ? undefined
      : { url: registryUrl(state.registry.address), up: (await httpStatus(registryUrl(state.registry.address))) === 200 };
  return {
    name: state.name,
    dir,
    exists: true,
    ...(state.light === true ? { light: true } : {}),
    subnet: subnetCidr(state.subnet),
    bridge: state.bridge,
    nodes,
    swarm,
    ...(registry === undefined ? {} : { registry }),
  };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** A terminal table: one row per node with its daemons and its state in the swarm. */
export function formatStatus(r: LabStatusReport): string {
  if (!r.exists) return `lab ${r.name}: not up (no record in ${r.dir})\n`;
  const kind = r.light === true ? '  light (sshd only)' : '';
  const lines = [`lab ${r.name}  ${r.subnet ?? ''}  bridge ${r.bridge ?? ''}  ${r.dir}${kind}`, ''];
  const swarmNodes = r.swarm.type === 'ok' ? r.swarm.nodes : [];
  const rows: string[][] = [['NODE', 'ADDRESS', 'ROLE', 'DOCKERD', 'SSHD', 'SWARM', 'MANAGER']];
  for (const n of r.nodes) {
    const s = swarmNodes.find((v) => v.hostname === n.name);
    rows.push([
      n.name,
      n.address,
      n.role,
      r.light === true ? 'none' : n.api ? 'up' : n.dockerd ? 'starting' : 'down',
      n.sshd ? 'up' : 'down',
      s === undefined ? '-' : `${s.state}/${s.availability}`,
      s?.manager ?? '-',
    ]);
  }
  lines.push(...table(rows), '');
  switch (r.swarm.type) {
    case 'none':
      lines.push('swarm: none');
      break;
    case 'ok':
      lines.push(`swarm: ${r.swarm.nodes.length} nodes, seen from ${r.swarm.via}`);
      break;
    case 'unavailable':
      lines.push(`swarm: unavailable (${r.swarm.error})`);
      break;
  }
  if (r.registry !== undefined) lines.push(`registry: ${r.registry.url} ${r.registry.up ? 'answers' : 'does not answer'}`);
  return `${lines.join('\n')}\n`;
}
