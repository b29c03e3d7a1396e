/**
 * `docker.service.create`: services from a spec, or from a file written by `docker.service.export`.
 * A service that already exists with the wanted spec is left alone; one that exists with another
 * spec is an error (that is `docker.service.update`'s job), so a restore never silently diverges.
 */
import { RunbookError } from '../../../errors.js';
import type { ActionContext } from '../../define.js';
import { defineAction } from '../../define.js';
import type { EngineApi } from '../engine-api.js';
import { engineApi } from '../engine-api.js';
import { durationMs, durationSchema } from '../../poll.js';
import { readServiceSpecs, selectSpecs } from './file.js';
import { findService, listServices, waitConverged } from './services.js';
import { specDifferences } from './spec-compare.js';
import type { ServiceSpec } from '../swarm-types.js';

export interface ServiceCreateWith {
  spec?: Record<string, unknown>;
  file?: string;
  names?: string[];
  exclude_stacks?: boolean;
  wait?: boolean;
  timeout?: string;
}

async function wantedSpecs(args: ServiceCreateWith, ctx: ActionContext): Promise<ServiceSpec[]> {
  if (args.spec !== undefined) {
    if (typeof args.spec['Name'] !== 'string') throw new RunbookError('INVALID', 'docker.service.create: spec needs a Name');
    return [args.spec as ServiceSpec];
  }
  const file = args.file as string;
  return selectSpecs(await readServiceSpecs(ctx.baseDir, file), { ...(args.names === undefined ? {} : { names: args.names }), excludeStacks: args.exclude_stacks === true }, file);
}

type Standing = { readonly spec: ServiceSpec; readonly state: 'missing' | 'same' } | { readonly spec: ServiceSpec; readonly state: 'different'; readonly paths: string[] };

async function standing(api: EngineApi, spec: ServiceSpec): Promise<Standing> {
  const current = await findService(api, spec.Name);
  if (current === undefined) return { spec, state: 'missing' };
  const paths = specDifferences(spec, current.Spec);
  return paths.length === 0 ? { spec, state: 'same' } : { spec, state: 'different', paths };
}

export const serviceCreate = defineAction<ServiceCreateWith>({
  name: 'docker.service.create',
  description: 'Create services from a spec or from a file written by docker.service.export.',
  with: {
    type: 'object',
    additionalProperties: false,
    oneOf: [{ required: ['spec'] }, { required: ['file'] }],
    properties: {
      spec: { type: 'object', description: 'A ServiceSpec as the Engine API takes it (Name, TaskTemplate, Mode, …).' },
      file: { type: 'string', description: 'A JSON file of specs (an export), relative to the runbook or absolute.' },
      names: { type: 'array', items: { type: 'string' }, description: 'With `file`: only these services.' },
      exclude_stacks: { type: 'boolean', description: 'With `file`: skip services of stacks (redeploy those with docker.stack.deploy).' },
      wait: { type: 'boolean', description: 'Wait until the created services have converged (default false).' },
      timeout: durationSchema('How long to wait for convergence (default: the step’s timeout).'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args) {
    if (args.spec !== undefined) {
      return [{ summary: `create service ${String(args.spec['Name'])}`, call: `POST /services/create ${JSON.stringify(args.spec)}` }];
    }
    const which = args.names === undefined ? 'every service' : args.names.join(', ');
    return [{ summary: `create ${which} from ${args.file ?? ''}${args.exclude_stacks === true ? ' (not stack services)' : ''} unless present`, call: 'POST /services/create (one per spec)' }];
  },
  async check(args, ctx) {
    const api = engineApi(ctx, 'docker.service.create');
    const all = await Promise.all((await wantedSpecs(args, ctx)).map((s) => standing(api, s)));
    const open = all.filter((s) => s.state !== 'same');
    return {
      satisfied: open.length === 0,
      detail: open.length === 0 ? 'every service exists with the wanted spec' : `to create or differing: ${open.map((s) => s.spec.Name).join(', ')}`,
    };
  },
  async run(args, ctx) {
    const api = engineApi(ctx, 'docker.service.create');
    const specs = await wantedSpecs(args, ctx);
    const created: string[] = [];
    const unchanged: string[] = [];
    for (const spec of specs) {
      const now = await standing(api, spec);
      if (now.state === 'different') {
        throw new RunbookError(
          'STEP_FAILED',
          `${api.node}: service ${spec.Name} exists with another spec (${now.paths.slice(0, 5).join(', ')}); update it with docker.service.update or remove it first`,
        );
      }
      if (now.state === 'same') {
        unchanged.push(spec.Name);
        continue;
      }
      const answer = await api.send<{ ID: string; Warning?: string; Warnings?: string[] }>('POST', '/services/create', { body: spec });
      for (const w of [...(answer.Warnings ?? []), ...(answer.Warning === undefined ? [] : [answer.Warning])]) ctx.log('stderr', w);
      ctx.log('info', `created service ${spec.Name} (${answer.ID})`);
      created.push(spec.Name);
    }
    if (args.wait === true && created.length > 0) {
      await waitConverged(ctx, api, async () => (await listServices(api)).filter((s) => created.includes(s.Spec.Name)), {
        what: `services ${created.join(', ')} converged`,
        intervalMs: 1000,
        ...(args.timeout === undefined ? {} : { timeoutMs: durationMs(args.timeout) }),
      });
    }
    return { created, unchanged };
  },
});
