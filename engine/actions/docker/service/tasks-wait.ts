/**
 * `docker.tasks.wait`: until every service (or the named ones, or a stack's) has converged, or until
 * no task runs any more (on one node: the end of a drain). Read-only; polls until `timeout`, the
 * step's timeout bounding it as well.
 */
import { RunbookError } from '../../../errors.js';
import type { ActionContext } from '../../define.js';
import { defineAction } from '../../define.js';
import type { EngineApi } from '../engine-api.js';
import { engineApi, filters } from '../engine-api.js';
import { durationMs, durationSchema, pollUntil } from '../../poll.js';
import { listServices, serviceRow, waitConverged } from './services.js';
import type { SwarmNode, SwarmTask } from '../swarm-types.js';
import { TERMINAL_TASK_STATES } from '../swarm-types.js';

export interface TasksWaitWith {
  until: 'converged' | 'none_running';
  services?: string[];
  stack?: string;
  node?: string;
  interval?: string;
  timeout?: string;
}

async function nodeId(api: EngineApi, name: string): Promise<string> {
  const nodes = await api.get<SwarmNode[]>('/nodes');
  const node = nodes.find((n) => n.ID === name || n.Description?.Hostname === name || n.Spec.Name === name);
  if (node === undefined) throw new RunbookError('NOT_FOUND', `${api.node}: the swarm has no node ${name}`);
  return node.ID;
}

/** A task still counts while it is meant to run or has not reached a final state. */
function live(task: SwarmTask): boolean {
  return task.DesiredState === 'running' || !TERMINAL_TASK_STATES.has(task.Status.State);
}

async function waitNoneRunning(ctx: ActionContext, api: EngineApi, args: TasksWaitWith, intervalMs: number, timeoutMs: number | undefined) {
  const node = args.node === undefined ? undefined : await nodeId(api, args.node);
  const where = args.node === undefined ? 'the swarm' : args.node;
  return pollUntil(ctx, { what: `no task running on ${where}`, intervalMs, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, async () => {
    const tasks = await api.get<SwarmTask[]>('/tasks', { filters: filters({ node: node === undefined ? undefined : [node] }) });
    const running = tasks.filter(live);
    return running.length === 0
      ? { done: true, value: { node: args.node ?? null, tasks: 0 } }
      : { done: false, waiting: `${running.length} task(s) still running on ${where}` };
  });
}

export const tasksWait = defineAction<TasksWaitWith>({
  name: 'docker.tasks.wait',
  description: 'Wait until services have converged, or until no task runs (on one node, after a drain).',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['until'],
    properties: {
      until: { type: 'string', enum: ['converged', 'none_running'], description: '`converged`: RunningTasks == DesiredTasks for every service; `none_running`: no task left running.' },
      services: { type: 'array', items: { type: 'string' }, description: 'With converged: only these services (names).' },
      stack: { type: 'string', description: 'With converged: only the services of this stack.' },
      node: { type: 'string', description: 'With none_running: only tasks on this node (name or ID).' },
      interval: durationSchema('Time between looks (default 2s).'),
      timeout: durationSchema('Give up after this long (default 10m).'),
    },
  },
  mutating: false,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args) {
    if (args.until === 'none_running') {
      const node = args.node === undefined ? '' : `"node":["${args.node}"],`;
      return [{ summary: `wait until no task runs${args.node === undefined ? '' : ` on ${args.node}`}`, call: `GET /tasks?filters={${node}} (until every task is in a final state)` }];
    }
    const which = args.services?.join(', ') ?? (args.stack === undefined ? 'every service' : `the services of stack ${args.stack}`);
    return [{ summary: `wait until ${which} converged`, call: 'GET /services?status=true (RunningTasks == DesiredTasks)' }];
  },
  async run(args, ctx) {
    const api = engineApi(ctx, 'docker.tasks.wait');
    const intervalMs = durationMs(args.interval, 2000);
    const timeoutMs = durationMs(args.timeout, 600_000);
    if (args.until === 'none_running') return waitNoneRunning(ctx, api, args, intervalMs, timeoutMs);
    const select = async () => {
      const services = await listServices(api, args.stack === undefined ? {} : { stack: args.stack });
      if (args.services === undefined) return services;
      const missing = args.services.filter((n) => !services.some((s) => s.Spec.Name === n));
      if (missing.length > 0) throw new RunbookError('NOT_FOUND', `${api.node}: no service named ${missing.join(', ')}`);
      return services.filter((s) => args.services?.includes(s.Spec.Name));
    };
    const services = await waitConverged(ctx, api, select, {
      what: 'services converged',
      intervalMs,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    return { services: services.map(serviceRow), count: services.length };
  },
});
