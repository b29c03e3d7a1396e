/**
 * When is a service where its spec wants it? Pure: the callers fetch services and tasks.
 * `RunningTasks == DesiredTasks` alone is not enough right after an update (the old tasks still run
 * and count), so when tasks are given, tasks still on an older container spec keep it progressing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SwarmService, SwarmTask } from '../swarm-types.js';
import { TERMINAL_TASK_STATES } from '../swarm-types.js';

export type Convergence =
  | { readonly state: 'converged' }
  | { readonly state: 'progressing'; readonly detail: string }
  | { readonly state: 'failed'; readonly detail: string };

/** Jobs run to completion and are never "converged" in the running sense: they are not waited for. */
export function isJob(service: SwarmService): boolean {
  const mode = service.Spec.Mode;
  return mode?.ReplicatedJob !== undefined || mode?.GlobalJob !== undefined;
}

function updateProblem(service: SwarmService): Convergence | undefined {
  const status = service.UpdateStatus;
  const message = status?.Message === undefined || status.Message === '' ? '' : `: ${status.Message}`;
  switch (status?.State) {
    case undefined:
    case 'completed':
    case 'rollback_completed':
      return undefined;
    case 'paused':
      return { state: 'failed', detail: `update paused${message}` };
    case 'rollback_paused':
      return { state: 'failed', detail: `rollback paused${message}` };
    case 'updating':
      return { state: 'progressing', detail: `updating${message}` };
    case 'rollback_started':
      return { state: 'progressing', detail: `rolling back${message}` };
  }
}

function isStale(task: SwarmTask, service: SwarmService): boolean {
  if (task.DesiredState !== 'running' || TERMINAL_TASK_STATES.has(task.Status.State)) return false;
  const template = service.Spec.TaskTemplate;
  return (
    !isDeepStrictEqual(task.Spec?.ContainerSpec, template?.ContainerSpec) ||
    (task.Spec?.ForceUpdate ?? 0) !== (template?.ForceUpdate ?? 0)
  );
}

export function serviceConvergence(service: SwarmService, tasks?: readonly SwarmTask[]): Convergence {
  if (isJob(service)) return { state: 'converged' };
  const update = updateProblem(service);
  if (update !== undefined) return update;
  const status = service.ServiceStatus;
  if (status === undefined) {
    return { state: 'failed', detail: 'the daemon reports no ServiceStatus (it needs Engine API 1.41 or later)' };
  }
  if (status.RunningTasks !== status.DesiredTasks) {
    return { state: 'progressing', detail: `${status.RunningTasks}/${status.DesiredTasks} tasks running` };
  }
  const stale = (tasks ?? []).filter((t) => t.ServiceID === service.ID && isStale(t, service)).length;
  if (stale > 0) return { state: 'progressing', detail: `${stale} task(s) still on the previous spec` };
  return { state: 'converged' };
}

/** Many services at once: the first failure, else what is still progressing, else converged. */
export function servicesConvergence(services: readonly SwarmService[], tasks?: readonly SwarmTask[]): Convergence {
  const waiting: string[] = [];
  for (const service of services) {
    const c = serviceConvergence(service, tasks);
    if (c.state === 'failed') return { state: 'failed', detail: `${service.Spec.Name}: ${c.detail}` };
    if (c.state === 'progressing') waiting.push(`${service.Spec.Name}: ${c.detail}`);
  }
  return waiting.length === 0 ? { state: 'converged' } : { state: 'progressing', detail: waiting.join('; ') };
}
