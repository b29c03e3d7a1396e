/**
 * The Docker Engine API actions for swarm membership and nodes.
 */
import type { ActionDefinition } from '../define.js';
import { dockerInfo } from './info.js';
import { dockerNodeDemote } from './node-demote.js';
import { dockerNodeLs } from './node-ls.js';
import { dockerNodePromote } from './node-promote.js';
import { dockerNodeRm } from './node-rm.js';
import { dockerNodeUpdate } from './node-update.js';
import { dockerNodeWait } from './node-wait.js';
import { dockerSwarmInit } from './swarm-init.js';
import { dockerSwarmJoin } from './swarm-join.js';
import { dockerSwarmJoinToken } from './swarm-join-token.js';
import { dockerSwarmLeave } from './swarm-leave.js';

export const dockerActions = {
  'docker.info': dockerInfo,
  'docker.swarm.init': dockerSwarmInit,
  'docker.swarm.join-token': dockerSwarmJoinToken,
  'docker.swarm.join': dockerSwarmJoin,
  'docker.swarm.leave': dockerSwarmLeave,
  'docker.node.update': dockerNodeUpdate,
  'docker.node.promote': dockerNodePromote,
  'docker.node.demote': dockerNodeDemote,
  'docker.node.rm': dockerNodeRm,
  'docker.node.wait': dockerNodeWait,
  'docker.node.ls': dockerNodeLs,
} as const satisfies Record<string, ActionDefinition<never>>;
