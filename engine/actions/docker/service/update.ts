/**
 * `docker.service.update`: read-modify-write of the whole spec with the current version (retrying
 * "update out of sequence"), then wait until the update completed and every task runs the new spec.
 * A paused update, or one that does not finish within `timeout`, is rolled back
 * (`?rollback=previous`) and fails the step, unless `rollback_on_failure: false`.
 */
import { RunbookError } from '../../../errors.js';
import { daemonMessageOf } from '../../../io/docker/errors.js';
import type { ActionContext } from '../../define.js';
import { defineAction } from '../../define.js';
import { serviceConvergence } from './convergence.js';
import type { EngineApi } from '../engine-api.js';
import { engineApi } from '../engine-api.js';
import { durationMs, durationSchema, pollUntil } from '../../poll.js';
import { describeChanges, editedSpec, type ServiceChanges } from './spec-edit.js';
import { requireService, tasksOf } from './services.js';
import { specDifferences } from './spec-compare.js';
import type { SwarmService } from '../swarm-types.js';

export interface ServiceUpdateWith {
  service: string;
  image?: string;
  replicas?: number;
  env?: Record<string, string | null>;
  labels?: Record<string, string | null>;
  spec?: Record<string, unknown>;
  force?: boolean;
  rollback_on_failure?: boolean;
  wait?: boolean;
  timeout?: string;
}

const UPDATE_ATTEMPTS = 5;
const POLL_MS = 1000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

function changesOf(args: ServiceUpdateWith): ServiceChanges {
  return {
    ...(args.image === undefined ? {} : { image: args.image }),
    ...(args.replicas === undefined ? {} : { replicas: args.replicas }),
    ...(args.env === undefined ? {} : { env: args.env }),
    ...(args.labels === undefined ? {} : { labels: args.labels }),
    ...(args.spec === undefined ? {} : { spec: args.spec }),
    ...(args.force === true ? { force: true } : {}),
  };
}

function wanted(service: SwarmService, changes: ServiceChanges): SwarmService['Spec'] {
  if (changes.replicas !== undefined && service.Spec.Mode?.Replicated === undefined) {
    throw new RunbookError('INVALID', `service ${service.Spec.Name} is not replicated: it has no replica count to set`);
  }
  return editedSpec(service.Spec, changes);
}

/** POST …/update with the version just read; "update out of sequence" means someone else wrote: read again. */
async function sendUpdate(
  api: EngineApi,
  name: string,
  build: (s: SwarmService) => SwarmService['Spec'],
  query: Readonly<Record<string, string>> = {},
): Promise<SwarmService> {
  for (let attempt = 1; ; attempt += 1) {
    const service = await requireService(api, name);
    try {
      await api.send('POST', `/services/${service.ID}/update`, { query: { version: service.Version.Index, ...query }, body: build(service) });
      return service;
    } catch (e) {
      if (attempt < UPDATE_ATTEMPTS && /update out of sequence/i.test(daemonMessageOf(e) || String(e))) continue;
      throw e;
    }
  }
}

type Outcome = { readonly type: 'converged' } | { readonly type: 'failed'; readonly detail: string; readonly daemonRolledBack: boolean };

async function watchUpdate(ctx: ActionContext, api: EngineApi, id: string, timeoutMs: number): Promise<Outcome> {
  try {
    return await pollUntil<Outcome>(ctx, { what: `update of ${id}`, intervalMs: POLL_MS, timeoutMs }, async () => {
      const service = await requireService(api, id);
      const state = service.UpdateStatus?.State;
      const message = service.UpdateStatus?.Message ?? '';
      if (state === 'rollback_completed' || state === 'rollback_paused') {
        return { done: true, value: { type: 'failed', detail: `the daemon rolled the update back: ${message}`, daemonRolledBack: true } };
      }
      if (state === 'rollback_started') return { done: false, waiting: `the daemon is rolling back: ${message}` };
      const c = serviceConvergence(service, await tasksOf(api, [service.ID]));
      if (c.state === 'failed') return { done: true, value: { type: 'failed', detail: c.detail, daemonRolledBack: false } };
      return c.state === 'converged' ? { done: true, value: { type: 'converged' } } : { done: false, waiting: c.detail };
    });
  } catch (e) {
    if (e instanceof RunbookError && e.code === 'TIMEOUT' && !ctx.signal.aborted) {
      return { type: 'failed', detail: e.message, daemonRolledBack: false };
    }
    throw e;
  }
}

async function rollBack(ctx: ActionContext, api: EngineApi, name: string, timeoutMs: number): Promise<string> {
  ctx.log('info', `rolling ${name} back to its previous spec`);
  const service = await sendUpdate(api, name, (s) => s.Spec, { rollback: 'previous' });
  return pollUntil(ctx, { what: `rollback of ${name}`, intervalMs: POLL_MS, timeoutMs }, async () => {
    const now = await requireService(api, service.ID);
    const state = now.UpdateStatus?.State;
    if (state === 'rollback_completed') return { done: true, value: 'rolled back to the previous spec' };
    if (state === 'rollback_paused') return { done: true, value: `the rollback paused too: ${now.UpdateStatus?.Message ?? ''}` };
    return { done: false, waiting: `rollback ${state ?? 'not started'}` };
  });
}

export const serviceUpdate = defineAction<ServiceUpdateWith>({
  name: 'docker.service.update',
  description: 'Update a service (image, replicas, env, labels, any spec field) and wait until it converged; roll back on failure.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['service'],
    properties: {
      service: { type: 'string', description: 'Service name or ID.' },
      image: { type: 'string', description: 'The new image, e.g. registry:5000/app:1.2.' },
      replicas: { type: 'integer', minimum: 0, description: 'Replica count (replicated services).' },
      env: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'Environment: KEY: value sets, KEY: null removes.' },
      labels: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'Service labels: key: value sets, key: null removes.' },
      spec: { type: 'object', description: 'Any other ServiceSpec fields, merged into the current spec (null removes a key).' },
      force: { type: 'boolean', description: 'Redeploy every task even when nothing changed.' },
      rollback_on_failure: { type: 'boolean', description: 'Roll back when the update pauses or times out (default true).' },
      wait: { type: 'boolean', description: 'Wait until the update completed and every task runs the new spec (default true).' },
      timeout: durationSchema('How long the update may take before it counts as failed (default 10m); keep it below the step’s timeout so a rollback can still run.'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args) {
    const changes = describeChanges(changesOf(args));
    return [
      { summary: `update service ${args.service}: ${changes.join(', ') || 'no changes'}`, call: `GET /services/${args.service}` },
      { summary: 'send the whole spec with the current version (retry on "update out of sequence")', call: `POST /services/<id>/update?version=<Version.Index>` },
      ...(args.wait === false ? [] : [{ summary: `wait until UpdateStatus completed and RunningTasks == DesiredTasks (at most ${args.timeout ?? '10m'})` }]),
      ...(args.rollback_on_failure === false ? [] : [{ summary: 'on failure: roll back, then fail the step', call: `POST /services/<id>/update?version=<Version.Index>&rollback=previous` }]),
    ];
  },
  async check(args, ctx) {
    const api = engineApi(ctx, 'docker.service.update');
    if (args.force === true) return { satisfied: false, detail: 'force: always redeploys' };
    const service = await requireService(api, args.service);
    const paths = specDifferences(wanted(service, changesOf(args)), service.Spec);
    if (paths.length > 0) return { satisfied: false, detail: `differs: ${paths.slice(0, 5).join(', ')}` };
    const c = serviceConvergence(service, await tasksOf(api, [service.ID]));
    return c.state === 'converged' ? { satisfied: true, detail: `${service.Spec.Name} already as wanted and converged` } : { satisfied: false, detail: `spec as wanted but ${c.state}: ${c.detail}` };
  },
  async run(args, ctx) {
    const api = engineApi(ctx, 'docker.service.update');
    const changes = changesOf(args);
    const before = await requireService(api, args.service);
    const name = before.Spec.Name;
    const same = changes.force !== true && specDifferences(wanted(before, changes), before.Spec).length === 0;
    if (same) ctx.log('info', `${name}: spec already as wanted`);
    else {
      await sendUpdate(api, name, (s) => wanted(s, changes));
      ctx.log('info', `${name}: ${describeChanges(changes).join(', ')}`);
    }
    const timeoutMs = durationMs(args.timeout, DEFAULT_TIMEOUT_MS);
    if (args.wait !== false) {
      const outcome = await watchUpdate(ctx, api, before.ID, timeoutMs);
      if (outcome.type === 'failed') {
        if (outcome.daemonRolledBack || args.rollback_on_failure === false) {
          throw new RunbookError('STEP_FAILED', `update of ${name} failed: ${outcome.detail}`);
        }
        const rolled = await rollBack(ctx, api, name, timeoutMs);
        throw new RunbookError('STEP_FAILED', `update of ${name} failed: ${outcome.detail}; ${rolled}`);
      }
    }
    const after = await requireService(api, before.ID);
    return {
      changed: !same,
      service: name,
      id: after.ID,
      image: after.Spec.TaskTemplate?.ContainerSpec?.Image ?? '',
      version: after.Version.Index,
    };
  },
});
