/**
 * `on: manager` and `on: leader` resolved from the live cluster: the first manager of the inventory
 * whose `GET /nodes` answers, or the Raft leader it reports. For run, plan and resume alike.
 */
import { findManager, leaderOf } from '../actions/docker/cluster.js';
import type { Inventory } from '../inventory/types.js';
import type { DockerPort } from '../io/ports.js';
import type { LiveManagerResolver } from '../plan/targets.js';

export function createLiveResolver(inventory: Inventory, docker: DockerPort, signal: AbortSignal): LiveManagerResolver {
  return async (kind) => {
    const manager = await findManager(inventory, docker, signal);
    return kind === 'manager' ? manager.node : leaderOf(inventory, manager.nodes);
  };
}
