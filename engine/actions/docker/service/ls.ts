/**
 * `docker.service.ls`: the services of the swarm (or those matching a name, labels or a stack), with
 * their image and running/desired replicas. Read-only.
 */
import { defineAction } from '../../define.js';
import { engineApi } from '../engine-api.js';
import { listServices, serviceRow } from './services.js';

export interface ServiceLsWith {
  name?: string;
  labels?: string[];
  stack?: string;
}

export const serviceLs = defineAction<ServiceLsWith>({
  name: 'docker.service.ls',
  description: 'List services with their image and running/desired replicas.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: 'Only services whose name starts with this (Docker’s name filter).' },
      labels: { type: 'array', items: { type: 'string' }, description: 'Only services with these labels: `key` or `key=value`.' },
      stack: { type: 'string', description: 'Only the services of this stack.' },
    },
  },
  mutating: false,
  planReads: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args) {
    return [{ summary: 'list services', call: `GET /services?status=true${describeFilter(args)}` }];
  },
  async run(args, ctx) {
    const api = engineApi(ctx, 'docker.service.ls');
    const services = await listServices(api, {
      ...(args.name === undefined ? {} : { name: args.name }),
      ...(args.labels === undefined ? {} : { labels: args.labels }),
      ...(args.stack === undefined ? {} : { stack: args.stack }),
    });
    const rows = services.map(serviceRow);
    for (const row of rows) {
      const replicas = row['replicas'] as { running: number; desired: number };
      ctx.log('stdout', `${String(row['name'])} ${String(row['image'])} ${replicas.running}/${replicas.desired}`);
    }
    return { services: rows, count: rows.length };
  },
});

function describeFilter(args: ServiceLsWith): string {
  const parts: string[] = [];
  if (args.name !== undefined) parts.push(`name=${args.name}`);
  for (const l of args.labels ?? []) parts.push(`label=${l}`);
  if (args.stack !== undefined) parts.push(`label=com.docker.stack.namespace=${args.stack}`);
  return parts.length === 0 ? '' : ` (filters: ${parts.join(', ')})`;
}
