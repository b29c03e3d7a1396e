/**
 * `docker.node.wait`: poll the managers' view of a node until it is ready, down, a reachable manager,
 * or ready and schedulable (active). Read-only. While the node itself goes down, another manager is asked.
 */
import { defineAction } from '../../define.js';
import type { SwarmNode } from '../swarm-types.js';
import { lookupNode } from '../cluster.js';
import { NODE_FIELD, TIMEOUT_FIELD } from '../fields.js';
import { readNodes } from '../live-nodes.js';
import { nodeOutputs } from './update.js';
import { DOCKER_TRANSIENT, durationMs, pollUntil } from '../../poll.js';
import { fromMs } from '../../../dsl/duration.js';
import { apiNode } from '../target.js';

export type WaitCondition = 'ready' | 'down' | 'reachable' | 'active';

export interface NodeWaitWith {
  node: string;
  until: WaitCondition;
  timeout?: string;
  interval?: string;
}

function holds(node: SwarmNode, until: WaitCondition): boolean {
  switch (until) {
    case 'ready':
      return node.Status?.State === 'ready';
    case 'down':
      return node.Status?.State === 'down';
    case 'reachable':
      return node.ManagerStatus?.Reachability === 'reachable';
    case 'active':
      return node.Status?.State === 'ready' && node.Spec.Availability === 'active';
  }
}

function describe(node: SwarmNode): string {
  const manager = node.ManagerStatus === undefined || node.ManagerStatus === null ? '' : `, manager ${node.ManagerStatus.Reachability ?? 'unknown'}`;
  return `${node.Status?.State ?? 'unknown'}, ${node.Spec.Availability}${manager}`;
}

export const dockerNodeWait = defineAction<NodeWaitWith>({
  name: 'docker.node.wait',
  description: 'Wait until a node is ready, down, a reachable manager, or ready and active (read-only).',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['node', 'until'],
    properties: {
      node: NODE_FIELD,
      until: { type: 'string', enum: ['ready', 'down', 'reachable', 'active'], description: 'The state to wait for.' },
      timeout: TIMEOUT_FIELD,
      interval: { ...TIMEOUT_FIELD, description: 'Time between polls (default 1s).' },
    },
  },
  mutating: false,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const api = apiNode(ctx, 'docker.node.wait');
    const timeoutMs = durationMs(args.timeout, 120_000);
    return [{ summary: `poll ${api.node.name} every ${fromMs(durationMs(args.interval, 1_000, 'interval'))} until ${args.node} is ${args.until} (timeout ${fromMs(timeoutMs)})`, call: 'GET /nodes' }];
  },
  async run(args, ctx) {
    const api = apiNode(ctx, 'docker.node.wait');
    const node = await pollUntil(
      ctx,
      {
        what: `${args.node} to be ${args.until}`,
        timeoutMs: durationMs(args.timeout, 120_000),
        intervalMs: durationMs(args.interval, 1_000, 'interval'),
        tolerate: DOCKER_TRANSIENT,
      },
      async () => {
        const current = lookupNode(await readNodes(ctx, api, args.until === 'down' ? args.node : undefined), args.node, ctx.inventory);
        return holds(current, args.until) ? { done: true, value: current } : { done: false, waiting: describe(current) };
      },
    );
    return nodeOutputs(node as SwarmNode);
  },
});
