/**
 * Service actions against a real swarm: create, update to the lab registry's image, a failing update
 * rolled back, export and re-create, rm, the waits, and an HTTP probe of the registry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';
import type { Inventory } from '../../../engine/inventory/types.js';
import { dockerOk } from '../../../engine/lab/docker-api.js';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';

let handle: LabHandle;
let inventory: Inventory;
let registry: string;

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true, registry: true });
  inventory = loadInventory(handle.lab.inventory).value as Inventory;
  registry = `${inventory.nodes[0]?.address}:5000`;
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

function managerSocket(): string {
  const docker = inventory.nodes[0]?.docker;
  if (docker?.type !== 'socket') throw new Error('the lab gives sockets');
  return docker.socket;
}

interface ServiceView {
  ID: string;
  Spec: { Name: string; TaskTemplate: { ContainerSpec: { Image: string } } };
  ServiceStatus?: { RunningTasks: number; DesiredTasks: number };
  UpdateStatus?: { State: string };
}

async function services(): Promise<ServiceView[]> {
  return (await dockerOk(managerSocket(), 'GET', '/services?status=true')) as ServiceView[];
}

async function web(): Promise<ServiceView | undefined> {
  return (await services()).find((s) => s.Spec.Name === 'web');
}

function events(r: CliResult): Record<string, unknown>[] {
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function run(dir: string, state: string, extra: string[] = []): Promise<CliResult> {
  return runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', state, '--json', ...extra], { cwd: dir });
}

const CREATE = `
name: create-web
steps:
  - id: create
    action: docker.service.create
    on: manager
    with:
      wait: true
      timeout: 2m
      spec:
        Name: web
        TaskTemplate: { ContainerSpec: { Image: "lab/busybox:1", Command: [sleep, "3600"] } }
        Mode: { Replicated: { Replicas: 3 } }
`;

describe('docker.service.*', () => {
  it('creates a service and waits for it; a second run is skipped by its check', async () => {
    const dir = workspace({ 'rb.yaml': CREATE });
    const first = await run(dir, 's1');
    expect(first.code, first.stderr).toBe(0);
    expect((await web())?.ServiceStatus).toMatchObject({ RunningTasks: 3, DesiredTasks: 3 });
    const second = await run(dir, 's2');
    expect(second.code, second.stderr).toBe(0);
    expect(events(second).find((e) => e['type'] === 'step.skipped')?.['reason']).toBe('check');
  });

  it('updates the image to the registry’s copy and converges; a second run is skipped by check', async () => {
    const image = `${registry}/lab/busybox:1`;
    const dir = workspace({
      'rb.yaml': `
name: update-web
inputs:
  image: { type: string }
steps:
  - id: update
    action: docker.service.update
    on: manager
    timeout: 4m
    with: { service: web, image: "\${{ inputs.image }}", labels: { tier: front }, timeout: 3m }
`,
    });
    const first = await run(dir, 's1', ['--input', `image=${image}`]);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const done = events(first).find((e) => e['type'] === 'step.succeeded');
    expect(done?.['outputs']).toMatchObject({ changed: true, service: 'web' });
    const now = await web();
    expect(now?.Spec.TaskTemplate.ContainerSpec.Image.split('@')[0]).toBe(image);
    expect(now?.ServiceStatus).toMatchObject({ RunningTasks: 3, DesiredTasks: 3 });
    expect(now?.UpdateStatus?.State).toBe('completed');
    const tasks = (await dockerOk(managerSocket(), 'GET', `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: ['web'], 'desired-state': ['running'] }))}`)) as {
      Status: { State: string };
      Spec: { ContainerSpec: { Image: string } };
    }[];
    expect(tasks.map((t) => [t.Status.State, t.Spec.ContainerSpec.Image.split('@')[0]])).toEqual(Array(3).fill(['running', image]));
    const second = await run(dir, 's2', ['--input', `image=${image}`]);
    expect(second.code, second.stderr).toBe(0);
    expect(events(second).find((e) => e['type'] === 'step.skipped')?.['reason']).toBe('check');
  }, 240_000);

  it('rolls back an update to an image that does not exist and fails the step', async () => {
    const before = (await web())?.Spec.TaskTemplate.ContainerSpec.Image;
    const dir = workspace({
      'rb.yaml': `
name: bad-update
steps:
  - id: update
    action: docker.service.update
    on: manager
    with: { service: web, image: "${registry}/lab/nonexistent:1", timeout: 2m }
`,
    });
    const r = await run(dir, 's1');
    expect(r.code).toBe(1);
    const failed = events(r).find((e) => e['type'] === 'step.failed');
    expect(String(failed?.['error'])).toMatch(/update of web failed: .*rolled back to the previous spec/);
    const now = await web();
    expect(now?.Spec.TaskTemplate.ContainerSpec.Image).toBe(before);
    expect(now?.UpdateStatus?.State).toBe('rollback_completed');
    // The rolled-back state of the last update must not be mistaken for the outcome of the next one.
    const next = workspace({
      'rb.yaml': `
name: next-update
steps:
  - id: update
    action: docker.service.update
    on: manager
    with: { service: web, env: { MODE: calm }, timeout: 2m }
`,
    });
    const ok = await run(next, 's1');
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect((await web())?.UpdateStatus?.State).toBe('completed');
  }, 240_000);

  it('lists and exports services, waits for convergence, removes one and re-creates it from the export', async () => {
    const dir = workspace({
      'rb.yaml': `
name: roundtrip
steps:
  - id: converged
    action: docker.tasks.wait
    on: manager
    with: { until: converged, services: [web], timeout: 2m }
  - id: ls
    needs: [converged]
    action: docker.service.ls
    on: manager
    with: { name: web }
  - id: export
    needs: [ls]
    action: docker.service.export
    on: manager
  - id: rm
    needs: [export]
    action: docker.service.rm
    on: manager
    with: { service: web, timeout: 1m }
  - id: idle
    needs: [rm]
    action: docker.tasks.wait
    on: manager
    with: { until: none_running, node: node3, timeout: 1m }
  - id: recreate
    needs: [idle]
    action: docker.service.create
    on: manager
    with: { file: "\${{ steps.export.outputs.file }}", exclude_stacks: true, wait: true, timeout: 2m }
`,
    });
    const r = await run(dir, 's1');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const outputs = Object.fromEntries(
      events(r).filter((e) => e['type'] === 'step.succeeded').map((e) => [e['step'] as string, e['outputs'] as Record<string, unknown>]),
    );
    expect(outputs['ls']).toMatchObject({ count: 1, services: [{ name: 'web', replicas: { running: 3, desired: 3 } }] });
    const file = String(outputs['export']?.['file']);
    expect(existsSync(file)).toBe(true);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { services: { Spec: { Name: string } }[] };
    expect(exported.services.map((s) => s.Spec.Name).sort()).toEqual(['registry_registry', 'web']);
    expect(outputs['rm']).toMatchObject({ removed: true });
    expect(outputs['idle']).toMatchObject({ tasks: 0 });
    expect(outputs['recreate']).toMatchObject({ created: ['web'], unchanged: [] });
    expect((await web())?.ServiceStatus).toMatchObject({ RunningTasks: 3, DesiredTasks: 3 });
  }, 240_000);

  it('service rm is skipped by its check when the service is gone', async () => {
    const dir = workspace({
      'rb.yaml': `
name: rm-web
steps:
  - id: rm
    action: docker.service.rm
    on: manager
    with: { service: web }
`,
    });
    const first = await run(dir, 's1');
    expect(first.code, first.stderr).toBe(0);
    expect(await web()).toBeUndefined();
    const second = await run(dir, 's2');
    expect(second.code).toBe(0);
    expect(events(second).find((e) => e['type'] === 'step.skipped')?.['reason']).toBe('check');
  }, 120_000);

  it('plan shows the calls of mutating service actions and changes nothing', async () => {
    const dir = workspace({ 'rb.yaml': CREATE });
    const r = await runCli(['plan', 'rb.yaml', '-i', handle.lab.inventory], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('POST /services/create');
    expect(r.stdout).toContain('would run');
    expect(await web()).toBeUndefined();
  });
});

describe('http.probe', () => {
  it('answers from the lab registry’s /v2/, and times out on a status it never gets', async () => {
    const dir = workspace({
      'rb.yaml': `
name: probe
inputs:
  want: { type: integer, default: 200 }
steps:
  - id: probe
    action: http.probe
    with: { url: "http://${registry}/v2/", status: ["\${{ inputs.want }}"], contains: "{}", timeout: 3s, interval: 500ms }
`,
    });
    const ok = await run(dir, 's1');
    expect(ok.code, ok.stderr).toBe(0);
    expect(events(ok).find((e) => e['type'] === 'step.succeeded')?.['outputs']).toMatchObject({ status: 200, attempts: 1 });
    const bad = await run(dir, 's2', ['--input', 'want=418']);
    expect(bad.code).toBe(1);
    expect(String(events(bad).find((e) => e['type'] === 'step.failed')?.['error'])).toMatch(/timed out after 3s waiting for .*; last seen: status 200/);
  });
});
