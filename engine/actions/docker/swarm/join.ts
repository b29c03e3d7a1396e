/**
 * `docker.swarm.join`: the target node joins the swarm. The token travels in the API body, never on a
 * command line. The daemon gives up waiting after 20 s and says the join goes on in the background:
 * that is "pending", and `/info` is polled until the node is active or reports an error.
 */
import { describeError, RunbookError } from '../../../errors.js';
import { daemonMessageOf } from '../../../io/docker/errors.js';
import type { ActionContext } from '../../define.js';
import { defineAction } from '../../define.js';
import type { EngineInfo } from '../swarm-types.js';
import { addressesOf, engineInfo, findManager } from '../cluster.js';
import { TIMEOUT_FIELD } from '../fields.js';
import { infoOutputs } from '../daemon/info.js';
import { DOCKER_TRANSIENT, durationMs, pollUntil } from '../../poll.js';
import { fromMs } from '../../../dsl/duration.js';
import { apiNode, inventoryOf } from '../target.js';

export interface SwarmJoinWith {
  token: string;
  remote_addrs?: string[];
  manager?: string;
  advertise_addr?: string;
  listen_addr?: string;
  data_path_addr?: string;
  availability?: 'active' | 'pause' | 'drain';
  role?: 'worker' | 'manager';
  timeout?: string;
}

const SWARM_PORT = 2377;

function withPort(addr: string): string {
  return /:\d+$/.test(addr) ? addr : `${addr}:${SWARM_PORT}`;
}

function hostOf(addr: string): string {
  return addr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
}

/** Where to join through: as given, else the inventory's `manager`, else a manager that answers. */
async function remoteAddrs(args: SwarmJoinWith, ctx: ActionContext, self: string): Promise<string[]> {
  if (args.remote_addrs !== undefined && args.remote_addrs.length > 0) return args.remote_addrs.map(withPort);
  const inventory = inventoryOf(ctx, 'docker.swarm.join');
  if (args.manager !== undefined) {
    const node = inventory.nodes.find((n) => n.name === args.manager);
    if (node === undefined) throw new RunbookError('INVALID', `docker.swarm.join: manager "${args.manager}" is not in the inventory`);
    return [withPort(node.address)];
  }
  const live = await findManager(inventory, ctx.ports.docker, ctx.signal, { exclude: [self] });
  const own = live.nodes.find((n) => n.ManagerStatus !== undefined && n.ManagerStatus !== null && (n.Description?.Hostname === live.node.name || addressesOf(n).includes(live.node.address)));
  return [withPort(own?.ManagerStatus?.Addr ?? live.node.address)];
}

function body(args: SwarmJoinWith, address: string, remotes: string[], token: string): Record<string, unknown> {
  return {
    ListenAddr: args.listen_addr ?? '0.0.0.0:2377',
    AdvertiseAddr: args.advertise_addr ?? address,
    ...(args.data_path_addr === undefined ? {} : { DataPathAddr: args.data_path_addr }),
    RemoteAddrs: remotes,
    JoinToken: token,
    ...(args.availability === undefined ? {} : { Availability: args.availability }),
  };
}

type Membership =
  | { readonly type: 'none'; readonly state: string }
  | { readonly type: 'pending' }
  | { readonly type: 'this'; readonly role: 'manager' | 'worker' }
  | { readonly type: 'other'; readonly why: string };

/** Is the node in *this* swarm: the same cluster ID for a manager, known manager addresses for a worker. */
async function membership(ctx: ActionContext, info: EngineInfo, self: string): Promise<Membership> {
  const swarm = info.Swarm ?? {};
  const state = swarm.LocalNodeState ?? '';
  if (state === 'pending') return { type: 'pending' };
  if (state !== 'active' || (swarm.NodeID ?? '') === '') return { type: 'none', state: state === '' ? 'inactive' : state };
  const inventory = inventoryOf(ctx, 'docker.swarm.join');
  const live = await findManager(inventory, ctx.ports.docker, ctx.signal, { exclude: [self] });
  if (swarm.ControlAvailable === true) {
    const theirs = await engineInfo(ctx.ports.docker, live.target, ctx.signal);
    const expected = theirs.Swarm?.Cluster?.ID;
    const actual = swarm.Cluster?.ID;
    return expected !== undefined && expected === actual
      ? { type: 'this', role: 'manager' }
      : { type: 'other', why: `it is a manager of cluster ${actual ?? '?'}, not of ${expected ?? '?'} (the one ${live.node.name} manages)` };
  }
  const expected = new Set([
    ...live.nodes.flatMap((n) => (n.ManagerStatus === undefined || n.ManagerStatus === null ? [] : addressesOf(n))),
    ...inventory.nodes.filter((n) => n.role === 'manager').map((n) => n.address),
  ]);
  const remotes = (swarm.RemoteManagers ?? []).map((m) => hostOf(m.Addr ?? ''));
  return remotes.length > 0 && remotes.every((r) => expected.has(r))
    ? { type: 'this', role: 'worker' }
    : { type: 'other', why: `its managers are ${remotes.join(', ') || 'unknown'}, not this swarm’s (${[...expected].join(', ')})` };
}

async function waitActive(ctx: ActionContext, timeoutMs: number): Promise<EngineInfo> {
  const api = apiNode(ctx, 'docker.swarm.join');
  const info = await pollUntil(ctx, { what: `${api.node.name} to join the swarm`, timeoutMs, tolerate: DOCKER_TRANSIENT }, async () => {
    const current = await engineInfo(ctx.ports.docker, api.target, ctx.signal);
    const state = current.Swarm?.LocalNodeState ?? '';
    if (state === 'error') {
      throw new RunbookError('DOCKER_API', `${api.node.name}: joining the swarm failed: ${current.Swarm?.Error || 'the node reports an error'}`);
    }
    return state === 'active' ? { done: true, value: current } : { done: false, waiting: `state ${state || 'inactive'}` };
  });
  return info as EngineInfo;
}

export const dockerSwarmJoin = defineAction<SwarmJoinWith>({
  name: 'docker.swarm.join',
  description: 'Join the target node to the swarm with a join token (POST /swarm/join), waiting until it is active.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: {
      token: { type: 'string', description: 'A join token, e.g. `${{ steps.token.outputs.token }}` (list it in that step’s secret_outputs).' },
      remote_addrs: { type: 'array', items: { type: 'string' }, description: 'Managers to join through (default: a manager of the inventory that answers).' },
      manager: { type: 'string', description: 'The inventory manager to join through.' },
      advertise_addr: { type: 'string', description: 'Address the swarm reaches this node at (default: its inventory address).' },
      listen_addr: { type: 'string', description: 'Listen address for the swarm port (default 0.0.0.0:2377).' },
      data_path_addr: { type: 'string', description: 'Address for data (VXLAN) traffic.' },
      availability: { type: 'string', enum: ['active', 'pause', 'drain'], description: 'Join drained to label the node before tasks land.' },
      role: { type: 'string', enum: ['worker', 'manager'], description: 'The role the token gives; the check also wants this role.' },
      timeout: TIMEOUT_FIELD,
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  async plan(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.join');
    let remotes: string[];
    try {
      remotes = await remoteAddrs(args, ctx, api.node.name);
    } catch (e) {
      remotes = [`<a manager that answers: ${describeError(e)}>`];
    }
    const timeoutMs = durationMs(args.timeout, 120_000);
    return [
      { summary: `${api.node.name} joins the swarm${args.role === undefined ? '' : ` as ${args.role}`} through ${remotes.join(', ')}`, call: `POST /swarm/join ${JSON.stringify(body(args, api.node.address, remotes, '***'))}` },
      { summary: `if the daemon answers "pending", poll until LocalNodeState is active (timeout ${fromMs(timeoutMs)})`, call: 'GET /info' },
    ];
  },
  async check(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.join');
    const m = await membership(ctx, await engineInfo(ctx.ports.docker, api.target, ctx.signal), api.node.name);
    switch (m.type) {
      case 'this':
        return args.role === undefined || args.role === m.role
          ? { satisfied: true, detail: `${api.node.name} is already a ${m.role} of this swarm` }
          : { satisfied: false, detail: `${api.node.name} is a ${m.role} of this swarm, not a ${args.role}` };
      case 'pending':
        return { satisfied: false, detail: `${api.node.name} is still joining (pending)` };
      case 'none':
        return { satisfied: false, detail: `${api.node.name} is in no swarm (${m.state})` };
      case 'other':
        return { satisfied: false, detail: `${api.node.name} is in another swarm: ${m.why}` };
    }
  },
  async run(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.join');
    const timeoutMs = durationMs(args.timeout, 120_000);
    const before = await engineInfo(ctx.ports.docker, api.target, ctx.signal);
    const m = await membership(ctx, before, api.node.name);
    if (m.type === 'other') {
      throw new RunbookError('STEP_FAILED', `${api.node.name} is already in another swarm: ${m.why}; make it leave first (docker.swarm.leave)`);
    }
    if (m.type === 'this' && args.role !== undefined && m.role !== args.role) {
      throw new RunbookError(
        'STEP_FAILED',
        `${api.node.name} is already a ${m.role} of this swarm; change its role with docker.node.${args.role === 'manager' ? 'promote' : 'demote'}`,
      );
    }
    if (m.type === 'none') {
      const remotes = await remoteAddrs(args, ctx, api.node.name);
      try {
        await ctx.ports.docker.request(
          api.target,
          { method: 'POST', path: '/swarm/join', body: body(args, api.node.address, remotes, args.token), timeoutMs: 60_000 },
          ctx.signal,
        );
      } catch (e) {
        const pending = /attempt to join the swarm will continue in the background/i.test(daemonMessageOf(e)) || (e instanceof RunbookError && e.code === 'TIMEOUT');
        if (!pending) throw e;
        ctx.log('info', `${api.node.name}: the join is pending; waiting until the node is active`);
      }
    }
    const info = await waitActive(ctx, timeoutMs);
    const out = infoOutputs(info);
    if (args.role !== undefined && (out['is_manager'] === true ? 'manager' : 'worker') !== args.role) {
      throw new RunbookError('STEP_FAILED', `${api.node.name} joined as ${out['is_manager'] === true ? 'manager' : 'worker'}, not ${args.role}: was the right token given?`);
    }
    return { ...out, role: out['is_manager'] === true ? 'manager' : 'worker' };
  },
});
