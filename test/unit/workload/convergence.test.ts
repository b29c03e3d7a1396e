import { describe, expect, it } from 'vitest';
import { serviceConvergence, servicesConvergence } from '../../../engine/actions/docker/service/convergence.js';
import type { SwarmService, SwarmTask } from '../../../engine/actions/docker/swarm-types.js';

function service(over: Partial<SwarmService> & { image?: string } = {}): SwarmService {
  return {
    ID: 's1',
    Version: { Index: 10 },
    Spec: { Name: 'web', TaskTemplate: { ContainerSpec: { Image: over.image ?? 'app:2' } }, Mode: { Replicated: { Replicas: 2 } } },
    ServiceStatus: { RunningTasks: 2, DesiredTasks: 2 },
    ...over,
  };
}

function task(image: string, state: SwarmTask['Status']['State'] = 'running', desired: SwarmTask['DesiredState'] = 'running'): SwarmTask {
  return { ID: `t-${image}-${state}`, ServiceID: 's1', DesiredState: desired, Status: { State: state }, Spec: { ContainerSpec: { Image: image } } };
}

describe('service convergence', () => {
  it('is converged when running equals desired and no update is in flight', () => {
    expect(serviceConvergence(service())).toEqual({ state: 'converged' });
    expect(serviceConvergence(service({ UpdateStatus: { State: 'completed' } }))).toEqual({ state: 'converged' });
  });

  it('is progressing while tasks are missing or an update runs', () => {
    expect(serviceConvergence(service({ ServiceStatus: { RunningTasks: 1, DesiredTasks: 2 } }))).toEqual({ state: 'progressing', detail: '1/2 tasks running' });
    expect(serviceConvergence(service({ UpdateStatus: { State: 'updating' } })).state).toBe('progressing');
    expect(serviceConvergence(service({ UpdateStatus: { State: 'rollback_started' } })).state).toBe('progressing');
  });

  it('fails on a paused update or rollback', () => {
    expect(serviceConvergence(service({ UpdateStatus: { State: 'paused', Message: 'task failed' } }))).toEqual({ state: 'failed', detail: 'update paused: task failed' });
    expect(serviceConvergence(service({ UpdateStatus: { State: 'rollback_paused' } })).state).toBe('failed');
  });

  it('keeps waiting while tasks still run the previous container spec', () => {
    const old = [task('app:1'), task('app:2')];
    expect(serviceConvergence(service(), old)).toEqual({ state: 'progressing', detail: '1 task(s) still on the previous spec' });
    const replaced = [task('app:1', 'running', 'shutdown'), task('app:1', 'shutdown'), task('app:2'), task('app:2')];
    expect(serviceConvergence(service(), replaced)).toEqual({ state: 'converged' });
  });

  it('does not wait for jobs, and fails without ServiceStatus', () => {
    const job = service({ Spec: { Name: 'once', Mode: { ReplicatedJob: {} } }, ServiceStatus: { RunningTasks: 0, DesiredTasks: 3 } });
    expect(serviceConvergence(job)).toEqual({ state: 'converged' });
    const { ServiceStatus: _omit, ...noStatus } = service();
    expect(serviceConvergence(noStatus as SwarmService).state).toBe('failed');
  });

  it('reports many services by name, failures first', () => {
    const a = service();
    const b = service({ ID: 's2', Spec: { Name: 'db' }, ServiceStatus: { RunningTasks: 0, DesiredTasks: 1 } });
    const c = service({ ID: 's3', Spec: { Name: 'api' }, UpdateStatus: { State: 'paused' } });
    expect(servicesConvergence([a, b])).toEqual({ state: 'progressing', detail: 'db: 0/1 tasks running' });
    expect(servicesConvergence([a, b, c])).toEqual({ state: 'failed', detail: 'api: update paused' });
    expect(servicesConvergence([])).toEqual({ state: 'converged' });
  });
});
