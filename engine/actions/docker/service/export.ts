/**
 * `docker.service.export`: every service spec (or a stack's, or those with given labels) written as
 * JSON into the run's directory, for the emergency-shutdown snapshot. `docker.service.create` reads
 * the file back. Read-only towards the cluster; the file is 0600 (specs hold environment values).
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineAction } from '../../define.js';
import { engineApi } from '../engine-api.js';
import { listServices } from './services.js';
import type { SwarmService } from '../swarm-types.js';

export interface ServiceExportWith {
  stack?: string;
  labels?: string[];
  file?: string;
}

/** What the export file holds. */
export interface ServiceExport {
  readonly format: 'runbook.services/1';
  readonly exported_at: string;
  readonly node: string;
  readonly stack?: string;
  readonly services: readonly { readonly ID: string; readonly Version: { readonly Index: number }; readonly Spec: SwarmService['Spec'] }[];
}

function fileName(args: ServiceExportWith): string {
  return args.file ?? (args.stack === undefined ? 'services.json' : `services-${args.stack}.json`);
}

export const serviceExport = defineAction<ServiceExportWith>({
  name: 'docker.service.export',
  description: 'Write every service spec (or a stack’s) as JSON into the run directory; outputs the file path.',
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      stack: { type: 'string', description: 'Only the services of this stack.' },
      labels: { type: 'array', items: { type: 'string' }, description: 'Only services with these labels: `key` or `key=value`.' },
      file: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
        description: 'File name inside the run directory (default services.json, or services-STACK.json).',
      },
    },
  },
  mutating: false,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const filter = args.stack === undefined ? '' : ` (label com.docker.stack.namespace=${args.stack})`;
    return [
      { summary: `read every service spec${filter}`, call: 'GET /services' },
      { summary: `write them to ${join(ctx.runDir, fileName(args))} (mode 0600)` },
    ];
  },
  async run(args, ctx) {
    const api = engineApi(ctx, 'docker.service.export');
    const services = await listServices(api, {
      ...(args.labels === undefined ? {} : { labels: args.labels }),
      ...(args.stack === undefined ? {} : { stack: args.stack }),
    });
    const content: ServiceExport = {
      format: 'runbook.services/1',
      exported_at: new Date(ctx.ports.clock.now()).toISOString(),
      node: api.node,
      ...(args.stack === undefined ? {} : { stack: args.stack }),
      services: services.map((s) => ({ ID: s.ID, Version: s.Version, Spec: s.Spec })),
    };
    const path = join(ctx.runDir, fileName(args));
    // Written beside and renamed, so a resumed run never reads half a snapshot.
    await writeFile(`${path}.new`, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
    await rename(`${path}.new`, path);
    ctx.log('info', `${services.length} service spec(s) written to ${path}`);
    return { file: path, count: services.length, names: services.map((s) => s.Spec.Name) };
  },
});
