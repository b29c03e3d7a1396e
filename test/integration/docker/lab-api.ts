/**
 * For the Docker tests: read a lab's state straight from each node's Engine API, and run the CLI with
 * `--json` events parsed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDockerClient } from '../../../engine/io/docker/client.js';
import type { DockerPort } from '../../../engine/io/ports.js';
import type { LabDescription } from '../../../engine/lab/commands.js';
import { runCli } from '../../helpers/cli.js';

export interface ApiNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role: string; Availability: string; Labels?: Record<string, string> };
  Description?: { Hostname?: string };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

export interface Info {
  Name: string;
  Swarm: { LocalNodeState: string; ControlAvailable: boolean; NodeID: string; Cluster?: { ID: string } };
}

export class LabApi {
  readonly docker: DockerPort = createDockerClient();
  readonly #signal = new AbortController().signal;

  constructor(private readonly lab: LabDescription) {}

  get<T>(node: string, path: string): Promise<T> {
    const n = this.lab.nodes.find((x) => x.name === node);
    if (n === undefined) throw new Error(`no node ${node}`);
    return this.docker.request<T>({ name: node, endpoint: { type: 'socket', socket: n.dockerSocket } }, { method: 'GET', path }, this.#signal);
  }

  /** The swarm entry of `hostname`, as `via` (a manager) sees it; undefined when it has none. */
  async node(hostname: string, via = 'node1'): Promise<ApiNode | undefined> {
    const nodes = await this.get<ApiNode[]>(via, '/nodes');
    const found = nodes.filter((n) => n.Description?.Hostname === hostname);
    if (found.length > 1) throw new Error(`${hostname} has ${found.length} entries`);
    return found[0];
  }

  info(node: string): Promise<Info> {
    return this.get<Info>(node, '/info');
  }

  /**
   * What a dry-run must leave as it was: node list, each node's inspect, the services, and every node's
   * /info without runtime counters and the clock (the order of RemoteManagers is not state either).
   */
  async snapshot(): Promise<Record<string, unknown>> {
    const nodes = await this.get<ApiNode[]>('node1', '/nodes');
    const each: Record<string, unknown> = {};
    for (const n of nodes) each[n.ID] = await this.get('node1', `/nodes/${n.ID}`);
    const info: Record<string, unknown> = {};
    for (const n of this.lab.nodes) {
      const { SystemTime: _t, NGoroutines: _g, NFd: _f, NEventsListener: _e, ...rest } = await this.get<Record<string, unknown>>(n.name, '/info');
      const swarm = rest['Swarm'] as { RemoteManagers?: { Addr: string }[] } | undefined;
      if (swarm?.RemoteManagers) swarm.RemoteManagers = [...swarm.RemoteManagers].sort((a, b) => a.Addr.localeCompare(b.Addr));
      info[n.name] = rest;
    }
    const services = await this.get<{ ID: string }[]>('node1', '/services');
    const byId = (a: { ID: string }, b: { ID: string }): number => a.ID.localeCompare(b.ID);
    return { nodes: [...nodes].sort(byId), each, services: [...services].sort(byId), info };
  }

  close(): Promise<void> {
    return this.docker.close();
  }
}

export interface JsonRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly events: Record<string, unknown>[];
  /** step id → outputs of its step.succeeded event */
  readonly outputs: Record<string, Record<string, unknown>>;
  /** step id → reason of its step.skipped event */
  readonly skipped: Record<string, string>;
  /** step id → error of its step.failed event */
  readonly failed: Record<string, string>;
}

let counter = 0;

/** Writes `yaml` as a runbook in `dir` and runs it with `--json` (and `--yes`). */
export async function runJson(dir: string, inventory: string, yaml: string, extra: readonly string[] = []): Promise<JsonRun> {
  counter += 1;
  const file = join(dir, `rb${counter}.yaml`);
  writeFileSync(file, yaml);
  const r = await runCli(['run', file, '-i', inventory, '--state-dir', join(dir, 'state'), '--json', '--yes', ...extra], { cwd: dir });
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const outputs: Record<string, Record<string, unknown>> = {};
  const skipped: Record<string, string> = {};
  const failed: Record<string, string> = {};
  for (const e of events) {
    const step = String(e['step']);
    if (e['type'] === 'step.succeeded') outputs[step] = e['outputs'] as Record<string, unknown>;
    if (e['type'] === 'step.skipped') skipped[step] = String(e['reason']);
    if (e['type'] === 'step.failed') failed[step] = String(e['error']);
  }
  return { code: r.code, stderr: r.stderr, stdout: r.stdout, events, outputs, skipped, failed };
}

/** `runbook plan` of `yaml`. */
export async function planText(dir: string, inventory: string, yaml: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  counter += 1;
  const file = join(dir, `plan${counter}.yaml`);
  writeFileSync(file, yaml);
  return runCli(['plan', file, '-i', inventory], { cwd: dir });
}
