/**
 * `docker.swarm.init`: make the node the first manager of a new swarm, or with `force_new_cluster`
 * rebuild a one-manager swarm from its Raft state after the quorum was lost. The latter is refused
 * while the swarm still has a quorum or while another manager's daemon of the old swarm runs, which
 * would fork the cluster.
 */
import { describeError, RunbookError } from '../../../errors.js';
import { dockerTargetOf } from '../../../io/docker/target.js';
import type { ActionContext } from '../../define.js';
import { defineAction } from '../../define.js';
import type { EngineInfo } from '../swarm-types.js';
import { engineInfo, listNodes } from '../cluster.js';
import { infoOutputs } from '../daemon/info.js';
import { apiNode } from '../target.js';

export interface SwarmInitWith {
  advertise_addr?: string;
  listen_addr?: string;
  force_new_cluster?: boolean;
  default_addr_pool?: string[];
  subnet_size?: number;
  data_path_addr?: string;
  availability?: 'active' | 'pause' | 'drain';
  spec?: Record<string, unknown>;
}

function body(args: SwarmInitWith, address: string): Record<string, unknown> {
  return {
    ListenAddr: args.listen_addr ?? '0.0.0.0:2377',
    AdvertiseAddr: args.advertise_addr ?? address,
    ...(args.data_path_addr === undefined ? {} : { DataPathAddr: args.data_path_addr }),
    ...(args.default_addr_pool === undefined ? {} : { DefaultAddrPool: args.default_addr_pool }),
    ...(args.subnet_size === undefined ? {} : { SubnetSize: args.subnet_size }),
    ...(args.availability === undefined ? {} : { Availability: args.availability }),
    ...(args.spec === undefined ? {} : { Spec: args.spec }),
    ForceNewCluster: args.force_new_cluster === true,
  };
}

const SHORT_MS = 8_000;

/** This node leads a swarm that has a quorum: nothing to recover. */
async function leadsHealthySwarm(ctx: ActionContext, info: EngineInfo): Promise<boolean> {
  const api = apiNode(ctx, 'docker.swarm.init');
  try {
    const nodes = await listNodes(ctx.ports.docker, api.target, ctx.signal, SHORT_MS);
    return nodes.some((n) => n.ID === info.Swarm?.NodeID && n.ManagerStatus?.Leader === true);
  } catch {
    return false;
  }
}

/** Other managers of the old swarm whose daemons still run as managers. */
async function runningOldManagers(ctx: ActionContext): Promise<string[]> {
  const self = apiNode(ctx, 'docker.swarm.init').node.name;
  const running: string[] = [];
  for (const node of ctx.inventory?.nodes ?? []) {
    if (node.name === self) continue;
    try {
      const info = await engineInfo(ctx.ports.docker, dockerTargetOf(node), ctx.signal, SHORT_MS);
      if (info.Swarm?.ControlAvailable === true) running.push(node.name);
    } catch (e) {
      if (e instanceof RunbookError && e.code === 'ABORTED') throw e;
    }
  }
  return running;
}

export const dockerSwarmInit = defineAction<SwarmInitWith>({
  name: 'docker.swarm.init',
  description: 'Initialise a swarm on the node (POST /swarm/init), or force a new cluster from its state.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      advertise_addr: { type: 'string', description: 'Address other nodes reach this manager at (default: the node’s inventory address).' },
      listen_addr: { type: 'string', description: 'Listen address for the swarm port (default 0.0.0.0:2377).' },
      force_new_cluster: { type: 'boolean', description: 'Rebuild a one-manager swarm from this node’s state after quorum loss.' },
      default_addr_pool: { type: 'array', items: { type: 'string' }, description: 'CIDRs for overlay networks.' },
      subnet_size: { type: 'integer', minimum: 16, maximum: 29, description: 'Prefix length of each overlay subnet (default 24).' },
      data_path_addr: { type: 'string', description: 'Address for data (VXLAN) traffic.' },
      availability: { type: 'string', enum: ['active', 'pause', 'drain'], description: 'This node’s availability.' },
      spec: { type: 'object', description: 'A SwarmSpec (raft, dispatcher, CA settings…), passed as is.' },
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.init');
    const lines = [
      {
        summary: args.force_new_cluster === true
          ? `force a new one-manager cluster from the swarm state of ${api.node.name}`
          : `initialise a new swarm with ${api.node.name} as its first manager`,
        call: `POST /swarm/init ${JSON.stringify(body(args, api.node.address))}`,
      },
    ];
    if (args.force_new_cluster === true) {
      lines.push({ summary: 'refused while the swarm has a quorum or another old manager’s daemon runs (it would fork the cluster)', call: 'GET /nodes; GET /info on every other node' });
    }
    return lines;
  },
  async check(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.init');
    const info = await engineInfo(ctx.ports.docker, api.target, ctx.signal);
    const active = info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true;
    if (!active) return { satisfied: false, detail: `${api.node.name} is not a swarm manager (state ${info.Swarm?.LocalNodeState || 'inactive'})` };
    if (args.force_new_cluster !== true) return { satisfied: true, detail: `${api.node.name} is already an active manager of swarm ${info.Swarm?.Cluster?.ID ?? ''}` };
    const leads = await leadsHealthySwarm(ctx, info);
    return leads
      ? { satisfied: true, detail: `${api.node.name} already leads a swarm with a quorum` }
      : { satisfied: false, detail: `${api.node.name}’s swarm has no quorum it leads` };
  },
  async guard(args, ctx) {
    if (args.force_new_cluster !== true) return;
    const api = apiNode(ctx, 'docker.swarm.init');
    try {
      await listNodes(ctx.ports.docker, api.target, ctx.signal, SHORT_MS);
      throw new RunbookError('GUARD_REFUSED', `force-new-cluster refused: the swarm of ${api.node.name} still has a quorum (GET /nodes answers); recover nothing that is not lost`);
    } catch (e) {
      if (e instanceof RunbookError && (e.code === 'GUARD_REFUSED' || e.code === 'ABORTED')) throw e;
      ctx.log('info', `no quorum confirmed: ${describeError(e)}`);
    }
    const running = await runningOldManagers(ctx);
    if (running.length > 0) {
      throw new RunbookError(
        'GUARD_REFUSED',
        `force-new-cluster refused: the daemon of ${running.join(', ')} still runs as a manager of the old swarm, which would fork the cluster; stop it first`,
      );
    }
  },
  async run(args, ctx) {
    const api = apiNode(ctx, 'docker.swarm.init');
    const nodeId = await ctx.ports.docker.request<unknown>(
      api.target,
      { method: 'POST', path: '/swarm/init', body: body(args, api.node.address), timeoutMs: 90_000 },
      ctx.signal,
    );
    const info = infoOutputs(await engineInfo(ctx.ports.docker, api.target, ctx.signal));
    return { ...info, node_id: typeof nodeId === 'string' ? nodeId.replace(/^"|"$/g, '').trim() : info['node_id'] };
  },
});
