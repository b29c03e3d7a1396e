/**
 * `docker.info`: the node's engine and swarm state from `GET /info` (read-only).
 */
import { defineAction } from '../../define.js';
import type { EngineInfo } from '../swarm-types.js';
import { engineInfo } from '../cluster.js';
import { apiNode } from '../target.js';

export type DockerInfoWith = Record<string, never>;

/** The outputs of `docker.info`, flat so expressions read them easily. */
export function infoOutputs(info: EngineInfo): Record<string, unknown> {
  const swarm = info.Swarm ?? {};
  return {
    name: info.Name ?? '',
    engine_version: info.ServerVersion ?? '',
    swarm_state: swarm.LocalNodeState === undefined || swarm.LocalNodeState === '' ? 'inactive' : swarm.LocalNodeState,
    node_id: swarm.NodeID ?? '',
    node_addr: swarm.NodeAddr ?? '',
    is_manager: swarm.ControlAvailable === true,
    managers: swarm.Managers ?? 0,
    nodes: swarm.Nodes ?? 0,
    cluster_id: swarm.Cluster?.ID ?? '',
    remote_managers: (swarm.RemoteManagers ?? []).map((m) => m.Addr ?? ''),
    error: swarm.Error ?? '',
    insecure_registries: Object.entries(info.RegistryConfig?.IndexConfigs ?? {})
      .filter(([, config]) => config.Secure === false)
      .map(([name]) => name),
  };
}

export const dockerInfo = defineAction<DockerInfoWith>({
  name: 'docker.info',
  description: 'Read the node’s engine version and swarm state (GET /info).',
  with: { type: 'object', additionalProperties: false, properties: {} },
  mutating: false,
  planReads: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(_args, ctx) {
    const api = apiNode(ctx, 'docker.info');
    return [{ summary: `read engine and swarm state of ${api.node.name}`, call: 'GET /info' }];
  },
  async run(_args, ctx) {
    const api = apiNode(ctx, 'docker.info');
    return infoOutputs(await engineInfo(ctx.ports.docker, api.target, ctx.signal));
  },
});
