/**
 * `docker.service.rm`: remove a service; already gone counts as done. With `wait`, the step ends
 * only when none of its tasks runs any more (their containers are stopped).
 */
import { dockerStatusOf } from '../../../io/docker/errors.js';
import { defineAction } from '../../define.js';
import { engineApi, filters } from '../engine-api.js';
import { durationMs, durationSchema, pollUntil } from '../../poll.js';
import { findService } from './services.js';
import type { SwarmTask } from '../swarm-types.js';
import { TERMINAL_TASK_STATES } from '../swarm-types.js';

export interface ServiceRmWith {
  service: string;
  wait?: boolean;
  timeout?: string;
}

export const serviceRm = defineAction<ServiceRmWith>({
  name: 'docker.service.rm',
  description: 'Remove a service (done when it is gone).',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['service'],
    properties: {
      service: { type: 'string', description: 'Service name or ID.' },
      wait: { type: 'boolean', description: 'Wait until none of its tasks runs any more (default true).' },
      timeout: durationSchema('How long to wait for its tasks to stop (default: the step’s timeout).'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args) {
    return [{ summary: `remove service ${args.service}`, call: `DELETE /services/${args.service}` }];
  },
  async check(args, ctx) {
    const api = engineApi(ctx, 'docker.service.rm');
    const service = await findService(api, args.service);
    return service === undefined ? { satisfied: true, detail: `no service ${args.service}` } : { satisfied: false, detail: `${args.service} exists` };
  },
  async run(args, ctx) {
    const api = engineApi(ctx, 'docker.service.rm');
    const service = await findService(api, args.service);
    if (service === undefined) return { removed: false };
    await api.send('DELETE', `/services/${service.ID}`);
    ctx.log('info', `removed service ${service.Spec.Name} (${service.ID})`);
    if (args.wait !== false) {
      await pollUntil(ctx, { what: `tasks of ${service.Spec.Name} stopped`, intervalMs: 1000, ...(args.timeout === undefined ? {} : { timeoutMs: durationMs(args.timeout) }) }, async () => {
        // Tasks of a removed service linger for a moment, then vanish from the list altogether.
        const tasks = await api.get<SwarmTask[]>('/tasks', { filters: filters({ service: [service.ID] }) }).catch(notFoundAsNone);
        const live = tasks.filter((t) => !TERMINAL_TASK_STATES.has(t.Status.State)).length;
        return live === 0 ? { done: true, value: undefined } : { done: false, waiting: `${live} task(s) still running` };
      });
    }
    return { removed: true, id: service.ID };
  },
});

function notFoundAsNone(e: unknown): SwarmTask[] {
  if (dockerStatusOf(e) === 404) return [];
  throw e;
}
