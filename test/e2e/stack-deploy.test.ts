/**
 * The stack-deploy runbook on a lab with the private registry: a small stack from a compose file
 * deployed and converged (checked through the Engine API), a second run that changes nothing, a changed
 * compose file deployed again, the registry stack with its health URL probed, and the refusals before
 * anything is deployed (unknown stack, missing compose file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createDockerClient } from '../../engine/io/docker/client.js';
import type { DockerPort, DockerRequest } from '../../engine/io/ports.js';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

interface Service {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; Labels?: Record<string, string>; Mode: { Replicated?: { Replicas: number }; Global?: object } };
  ServiceStatus?: { RunningTasks: number; DesiredTasks: number };
}

let handle: LabHandle;
let docker: DockerPort;
let dir: string;
let inventory: string;
let state: string;

function api<T>(request: DockerRequest): Promise<T> {
  const node = handle.lab.nodes[0];
  if (node === undefined) throw new Error('lab has no node');
  return docker.request<T>({ name: node.name, endpoint: { type: 'socket', socket: node.dockerSocket } }, request, new AbortController().signal);
}

async function stackServices(stack: string): Promise<Service[]> {
  const services = await api<Service[]>({
    method: 'GET',
    path: '/services',
    query: { status: true, filters: JSON.stringify({ label: [`com.docker.stack.namespace=${stack}`] }) },
  });
  return services.sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
}

function compose(replicas: number): string {
  const image = `${handle.lab.registry ?? ''}/lab/busybox:1`;
  return `version: "3.8"
services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy: { replicas: ${replicas}, endpoint_mode: dnsrr }
  agent:
    image: ${image}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy: { mode: global, endpoint_mode: dnsrr }
`;
}

interface Run {
  readonly code: number | null;
  /** stderr and the --json events: what an operator or a script reads. */
  readonly stderr: string;
  readonly events: Record<string, unknown>[];
}

async function deployRun(stack: string, inv = inventory): Promise<Run> {
  const r = await runCli(['run', 'stack-deploy', '-i', inv, '--state-dir', state, '--json', '--yes', '--input', `stack=${stack}`]);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.code, stderr: r.stderr + r.stdout, events };
}

function outcome(run: Run, step: string): string | undefined {
  const e = run.events.find((x) => x['step'] === step && ['step.succeeded', 'step.skipped', 'step.failed'].includes(String(x['type'])));
  if (e === undefined) return undefined;
  return e['type'] === 'step.skipped' ? `skipped:${String(e['reason'])}` : String(e['type']).slice('step.'.length);
}

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true, registry: true });
  docker = createDockerClient();
  dir = workspace({ 'web.yml': '' });
  state = join(dir, 'state');
  const inv = parse(readFileSync(handle.lab.inventory, 'utf8')) as { stacks: unknown[] };
  inv.stacks.push({ name: 'web', compose: join(dir, 'web.yml') }, { name: 'ghost', compose: join(dir, 'missing.yml') });
  inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, stringify(inv));
  writeFileSync(join(dir, 'web.yml'), compose(2));
}, 240_000);

afterAll(async () => {
  await docker?.close();
  await handle?.down();
}, 120_000);

describe('stack-deploy', () => {
  it('deploys a stack from its compose file and waits until it converged', async () => {
    const r = await deployRun('web');
    expect(r.code, r.stderr).toBe(0);
    expect(outcome(r, 'deploy')).toBe('succeeded');
    const services = await stackServices('web');
    expect(services.map((s) => s.Spec.Name)).toEqual(['web_agent', 'web_app']);
    expect(services[1]?.Spec.Mode.Replicated?.Replicas).toBe(2);
    expect(services[0]?.Spec.Mode.Global).toBeDefined();
    for (const s of services) {
      expect(s.ServiceStatus?.RunningTasks, s.Spec.Name).toBe(s.ServiceStatus?.DesiredTasks);
    }
    expect(services[0]?.ServiceStatus?.RunningTasks).toBe(3);
  }, 180_000);

  it('changes nothing when run again', async () => {
    const before = (await stackServices('web')).map((s) => s.Version.Index);
    const r = await deployRun('web');
    expect(r.code, r.stderr).toBe(0);
    expect(outcome(r, 'deploy')).toBe('skipped:when');
    expect(outcome(r, 'converged')).toBe('succeeded');
    expect((await stackServices('web')).map((s) => s.Version.Index)).toEqual(before);
  }, 60_000);

  it('deploys again when the compose file changed', async () => {
    writeFileSync(join(dir, 'web.yml'), compose(3));
    const r = await deployRun('web');
    expect(r.code, r.stderr).toBe(0);
    expect(outcome(r, 'deploy')).toBe('succeeded');
    const app = (await stackServices('web')).find((s) => s.Spec.Name === 'web_app');
    expect(app?.Spec.Mode.Replicated?.Replicas).toBe(3);
    expect(app?.ServiceStatus?.RunningTasks).toBe(3);
  }, 180_000);

  it('deploys the registry stack and probes its health URL', async () => {
    const r = await deployRun('registry');
    expect(r.code, r.stderr).toBe(0);
    expect(outcome(r, 'health')).toBe('succeeded');
    const health = r.events.find((x) => x['type'] === 'step.succeeded' && x['step'] === 'health');
    expect((health?.['outputs'] as Record<string, unknown>)['status']).toBe(200);
    const registry = await stackServices('registry');
    expect(registry.map((s) => s.ServiceStatus?.RunningTasks)).toEqual([1]);
  }, 180_000);

  it('refuses a stack the inventory does not list, naming the ones it does', async () => {
    const r = await deployRun('nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no stack named \\?"nope\\?" in the inventory's stacks \(it has: registry, web, ghost\); pass --input stack=NAME/);
    expect(outcome(r, 'deploy')).toBeUndefined();
  }, 60_000);

  it('refuses a stack whose compose file is missing before deploying anything', async () => {
    const r = await deployRun('ghost');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`compose file of stack ghost missing, unreadable or empty: ${join(dir, 'missing.yml')}`);
    expect(outcome(r, 'deploy')).toBeUndefined();
    expect(await stackServices('ghost')).toEqual([]);
  }, 60_000);
});
