/**
 * The service-update runbook on a lab with the private registry: a service moved onto the registry's
 * image (checked through the Engine API), a second run that changes nothing, a replica change, and a bad
 * image that is rolled back and fails the run naming the daemon's reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../engine/io/docker/client.js';
import type { DockerPort, DockerRequest } from '../../engine/io/ports.js';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

interface Service {
  ID: string;
  Version: { Index: number };
  Spec: { TaskTemplate: { ContainerSpec: { Image: string } }; Mode: { Replicated?: { Replicas: number } } };
  UpdateStatus?: { State: string };
}

interface Task {
  DesiredState: string;
  Status: { State: string };
  Spec: { ContainerSpec: { Image: string } };
}

let handle: LabHandle;
let docker: DockerPort;
let state: string;
let registryImage: string;

function api<T>(request: DockerRequest): Promise<T> {
  const node = handle.lab.nodes[0];
  if (node === undefined) throw new Error('lab has no node');
  return docker.request<T>({ name: node.name, endpoint: { type: 'socket', socket: node.dockerSocket } }, request, new AbortController().signal);
}

const service = (): Promise<Service> => api<Service>({ method: 'GET', path: '/services/web' });

async function runningImages(): Promise<string[]> {
  const s = await service();
  const tasks = await api<Task[]>({ method: 'GET', path: '/tasks', query: { filters: JSON.stringify({ service: [s.ID] }) } });
  return tasks
    .filter((t) => t.DesiredState === 'running' && t.Status.State === 'running')
    .map((t) => t.Spec.ContainerSpec.Image.replace(/@sha256:.*/, ''))
    .sort();
}

interface Run {
  readonly code: number | null;
  /** stderr and the --json events: what an operator or a script reads. */
  readonly stderr: string;
  readonly events: Record<string, unknown>[];
}

async function updateRun(inputs: Record<string, string>, extra: readonly string[] = ['--yes']): Promise<Run> {
  const args = Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
  const r = await runCli(['run', 'service-update', '-i', handle.lab.inventory, '--state-dir', state, '--json', ...args, ...extra]);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.code, stderr: r.stderr + r.stdout, events };
}

function skipped(run: Run, step: string): string | undefined {
  const e = run.events.find((x) => x['type'] === 'step.skipped' && x['step'] === step);
  return e === undefined ? undefined : String(e['reason']);
}

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true, registry: true });
  docker = createDockerClient();
  state = workspace();
  registryImage = `${handle.lab.registry ?? ''}/lab/busybox:1`;
  await api({
    method: 'POST',
    path: '/services/create',
    body: {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'lab/busybox:1', Command: ['sleep', '3600'], StopGracePeriod: 1_000_000_000 } },
      Mode: { Replicated: { Replicas: 2 } },
    },
  });
  const deadline = Date.now() + 60_000;
  while ((await runningImages()).length < 2) {
    if (Date.now() > deadline) throw new Error('service web did not start');
    await new Promise((r) => setTimeout(r, 1000));
  }
}, 240_000);

afterAll(async () => {
  await docker?.close();
  await handle?.down();
}, 120_000);

describe('service-update', () => {
  it('is gated: without --yes and without a terminal nothing changes (exit 3)', async () => {
    const before = await service();
    const r = await updateRun({ service: 'web', image: registryImage }, []);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Update service web from lab/busybox:1 to ${registryImage}?`);
    expect((await service()).Version.Index).toBe(before.Version.Index);
  }, 60_000);

  it('moves the service onto the registry image and waits until every task runs it', async () => {
    const r = await updateRun({ service: 'web', image: registryImage });
    expect(r.code, r.stderr).toBe(0);
    const s = await service();
    expect(s.Spec.TaskTemplate.ContainerSpec.Image).toBe(registryImage);
    expect(s.UpdateStatus?.State).toBe('completed');
    expect(await runningImages()).toEqual([registryImage, registryImage]);
  }, 180_000);

  it('changes nothing when run again, and asks nothing (no --yes needed)', async () => {
    const before = await service();
    const r = await updateRun({ service: 'web', image: registryImage }, []);
    expect(r.code, r.stderr).toBe(0);
    expect(skipped(r, 'update')).toBe('when');
    expect(r.stderr).not.toContain('Update service web from');
    expect((await service()).Version.Index).toBe(before.Version.Index);
  }, 60_000);

  it('sets the replica count with the image', async () => {
    const r = await updateRun({ service: 'web', image: registryImage, replicas: '3' });
    expect(r.code, r.stderr).toBe(0);
    expect((await service()).Spec.Mode.Replicated?.Replicas).toBe(3);
    expect(await runningImages()).toEqual([registryImage, registryImage, registryImage]);
  }, 120_000);

  it('rolls a bad image back and fails naming the cause (exit 1)', async () => {
    const bad = `${handle.lab.registry ?? ''}/lab/missing:1`;
    const r = await updateRun({ service: 'web', image: bad, timeout: '60s' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rolled back to the previous spec');
    expect(r.stderr).toContain(`update of web to ${bad} failed and was rolled back to ${registryImage}`);
    expect(r.stderr).toContain(`No such image: ${bad}`);
    const s = await service();
    expect(s.Spec.TaskTemplate.ContainerSpec.Image).toBe(registryImage);
    expect(s.UpdateStatus?.State).toBe('rollback_completed');
    expect(await runningImages()).toEqual([registryImage, registryImage, registryImage]);
  }, 180_000);

  it('fails before any change on a service that does not exist', async () => {
    const r = await updateRun({ service: 'we', image: registryImage });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no service named \\?"we\\?" \(services whose name starts so: web\); pass --input service=NAME/);
  }, 60_000);
});
