/**
 * Reading services: by filter, by exact name, and waiting until a set of them has converged.
 */
import { RunbookError } from '../../../errors.js';
import type { ActionContext } from '../../define.js';
import { servicesConvergence } from './convergence.js';
import type { EngineApi } from '../engine-api.js';
import { filters } from '../engine-api.js';
import { pollUntil } from '../../poll.js';
import type { ServiceSpec, SwarmService, SwarmTask } from '../swarm-types.js';
import { STACK_LABEL } from '../swarm-types.js';

export interface ServiceFilter {
  /** Docker matches names by prefix; `exact` keeps only equal names. */
  readonly name?: string;
  readonly exact?: boolean;
  /** `key` or `key=value`. */
  readonly labels?: readonly string[];
  readonly stack?: string;
}

export async function listServices(api: EngineApi, filter: ServiceFilter = {}): Promise<SwarmService[]> {
  const labels = [...(filter.labels ?? []), ...(filter.stack === undefined ? [] : [`${STACK_LABEL}=${filter.stack}`])];
  const found = await api.get<SwarmService[]>('/services', {
    status: true,
    filters: filters({ name: filter.name === undefined ? undefined : [filter.name], label: labels }),
  });
  const list = filter.exact === true && filter.name !== undefined ? found.filter((s) => s.Spec.Name === filter.name) : found;
  return list.sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
}

/** A service by its exact name, or by its ID. */
export async function findService(api: EngineApi, nameOrId: string): Promise<SwarmService | undefined> {
  const [byName] = await listServices(api, { name: nameOrId, exact: true });
  if (byName !== undefined) return byName;
  const byId = await api.get<SwarmService[]>('/services', { status: true, filters: filters({ id: [nameOrId] }) });
  return byId.find((s) => s.ID === nameOrId);
}

export async function requireService(api: EngineApi, nameOrId: string): Promise<SwarmService> {
  const service = await findService(api, nameOrId);
  if (service === undefined) throw new RunbookError('NOT_FOUND', `${api.node}: no service named ${nameOrId}`);
  return service;
}

export function imageOf(spec: ServiceSpec | undefined): string | undefined {
  return spec?.TaskTemplate?.ContainerSpec?.Image;
}

/** `name:tag@sha256:…` → `name:tag`: the CLI pins digests, the runbook names tags. */
export function withoutDigest(image: string): string {
  const at = image.indexOf('@');
  return at < 0 ? image : image.slice(0, at);
}

export function sameImage(current: string | undefined, wanted: string): boolean {
  if (current === undefined) return false;
  return wanted.includes('@') ? current === wanted : withoutDigest(current) === wanted;
}

export async function tasksOf(api: EngineApi, serviceIds: readonly string[]): Promise<SwarmTask[]> {
  if (serviceIds.length === 0) return [];
  return api.get<SwarmTask[]>('/tasks', { filters: filters({ service: serviceIds, 'desired-state': ['running'] }) });
}

export interface ConvergeOptions {
  readonly what: string;
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  /** Also look at tasks, so tasks left on an older spec keep it waiting (right after an update). */
  readonly tasks?: boolean;
}

/** Polls `select` until every service it returns has converged; a paused update fails at once. */
export async function waitConverged(
  ctx: ActionContext,
  api: EngineApi,
  select: () => Promise<SwarmService[]>,
  options: ConvergeOptions,
): Promise<SwarmService[]> {
  return pollUntil(ctx, options, async () => {
    const services = await select();
    const tasks = options.tasks === true ? await tasksOf(api, services.map((s) => s.ID)) : undefined;
    const c = servicesConvergence(services, tasks);
    if (c.state === 'failed') throw new RunbookError('STEP_FAILED', `${options.what}: ${c.detail}`);
    return c.state === 'converged' ? { done: true, value: services } : { done: false, waiting: c.detail };
  });
}

/** The summary row of a service, as `docker.service.ls` and the waits report it. */
export function serviceRow(s: SwarmService): Record<string, unknown> {
  const mode = s.Spec.Mode?.Global !== undefined ? 'global' : s.Spec.Mode?.ReplicatedJob !== undefined ? 'replicated-job' : s.Spec.Mode?.GlobalJob !== undefined ? 'global-job' : 'replicated';
  const stack = s.Spec.Labels?.[STACK_LABEL];
  return {
    id: s.ID,
    name: s.Spec.Name,
    image: imageOf(s.Spec) ?? '',
    mode,
    replicas: { running: s.ServiceStatus?.RunningTasks ?? 0, desired: s.ServiceStatus?.DesiredTasks ?? 0 },
    ...(stack === undefined ? {} : { stack }),
    ...(s.UpdateStatus?.State === undefined ? {} : { update_state: s.UpdateStatus.State }),
  };
}
