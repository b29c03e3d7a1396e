/**
 * Forms the lab's swarm through the Engine API: the first manager inits on its own address, the other
 * managers join one at a time (Raft adds one member at a time), workers join together, then labels go on.
 */
import { RunbookError } from '../errors.js';
import { dockerApi, dockerOk } from './docker-api.js';
import { pollUntil } from './exec.js';
import { dockerSocket } from './node-files.js';
import type { LabNodeRecord } from './state.js';
import type { SwarmNodeView } from './types.js';

/** Overlay networks come from here, away from 10.231-10.250 where lab bridges live. */
const ADDRESS_POOL = '10.230.0.0/16';

interface ApiNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role: string; Availability: string; Labels?: Record<string, string> } & Record<string, unknown>;
  Description?: { Hostname?: string };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

export async function listNodes(socket: string, timeoutMs = 5_000): Promise<ApiNode[]> {
  return (await dockerOk(socket, 'GET', '/nodes', undefined, timeoutMs)) as ApiNode[];
}

export function nodeView(n: ApiNode): SwarmNodeView {
  const manager = n.ManagerStatus === undefined ? undefined : n.ManagerStatus.Leader === true ? 'leader' : n.ManagerStatus.Reachability;
  return {
    hostname: n.Description?.Hostname ?? n.ID,
    role: n.Spec.Role === 'manager' ? 'manager' : 'worker',
    state: n.Status?.State ?? 'unknown',
    availability: n.Spec.Availability,
    ...(manager === undefined ? {} : { manager }),
  };
}

async function localState(socket: string): Promise<string> {
  const info = (await dockerOk(socket, 'GET', '/info')) as { Swarm?: { LocalNodeState?: string } };
  return info.Swarm?.LocalNodeState ?? '';
}

async function join(node: LabNodeRecord, token: string, leader: LabNodeRecord): Promise<void> {
  const socket = dockerSocket(node);
  // A join can report a timeout and still complete, so the answer matters less than the state after it.
  try {
    await dockerApi(
      socket,
      'POST',
      '/swarm/join',
      { ListenAddr: `${node.address}:2377`, AdvertiseAddr: node.address, RemoteAddrs: [`${leader.address}:2377`], JoinToken: token },
      60_000,
    );
  } catch {
    // judged by the state below
  }
  await pollUntil(`${node.name} joining the swarm`, 60_000, async () => ((await localState(socket)) === 'active' ? true : undefined), 300);
}

export async function formSwarm(nodes: readonly LabNodeRecord[], log: (line: string) => void): Promise<void> {
  const managers = nodes.filter((n) => n.role === 'manager');
  const first = managers[0];
  if (first === undefined) throw new RunbookError('INVALID', 'a swarm needs at least one manager; write --managers 1 or more');
  const socket = dockerSocket(first);
  await dockerOk(socket, 'POST', '/swarm/init', {
    ListenAddr: `${first.address}:2377`,
    AdvertiseAddr: first.address,
    DefaultAddrPool: [ADDRESS_POOL],
    SubnetSize: 24,
  }, 60_000);
  log(`swarm initialised on ${first.name} (${first.address})`);
  const swarm = (await dockerOk(socket, 'GET', '/swarm')) as { JoinTokens: { Worker: string; Manager: string } };
  for (const m of managers.slice(1)) {
    await join(m, swarm.JoinTokens.Manager, first);
    log(`${m.name} joined as manager`);
  }
  await Promise.all(nodes.filter((n) => n.role === 'worker').map((w) => join(w, swarm.JoinTokens.Worker, first)));
  await waitReady(socket, nodes.map((n) => n.name), 90_000);
  log(`swarm has ${nodes.length} nodes ready`);
  await applyLabels(socket, nodes);
}

/** Waits until every named node is Ready in the manager's view. */
export async function waitReady(socket: string, names: readonly string[], timeoutMs: number): Promise<void> {
  await pollUntil(`nodes ${names.join(', ')} Ready`, timeoutMs, async () => {
    const views = (await listNodes(socket)).map(nodeView);
    return names.every((name) => views.some((v) => v.hostname === name && v.state === 'ready')) ? true : undefined;
  }, 300);
}

async function applyLabels(socket: string, nodes: readonly LabNodeRecord[]): Promise<void> {
  for (const node of nodes) {
    if (Object.keys(node.labels).length === 0) continue;
    // The whole spec goes back with the current version; retried when another update got there first.
    await pollUntil(`labels on ${node.name}`, 30_000, async () => {
      const current = (await listNodes(socket)).find((n) => n.Description?.Hostname === node.name);
      if (current === undefined) return undefined;
      const spec = { ...current.Spec, Labels: { ...(current.Spec.Labels ?? {}), ...node.labels } };
      const r = await dockerApi(socket, 'POST', `/nodes/${current.ID}/update?version=${current.Version.Index}`, spec);
      return r.status >= 200 && r.status < 300 ? true : undefined;
    });
  }
}
