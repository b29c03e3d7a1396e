/**
 * For the node runbook tests: run a built-in runbook with `--json` and sort its events by step, read a
 * lab's state straight from each node's Engine API, and write an inventory derived from the lab's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createDockerClient } from '../../engine/io/docker/client.js';
import type { DockerPort, DockerRequest } from '../../engine/io/ports.js';
import type { LabDescription } from '../../engine/lab/commands.js';
import { runCli } from '../helpers/cli.js';

export interface SwarmNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role: string; Availability: string; Labels?: Record<string, string> };
  Description?: { Hostname?: string };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string } | null;
}

export interface EngineInfo {
  Swarm: { LocalNodeState: string; ControlAvailable: boolean; NodeID: string; Managers?: number };
  RegistryConfig?: { IndexConfigs?: Record<string, { Secure: boolean }> };
}

export interface Task {
  NodeID?: string;
  ServiceID: string;
  DesiredState: string;
  Status: { State: string };
}

/** Each node's own Engine API, through its socket. */
export class LabApi {
  readonly #docker: DockerPort = createDockerClient();
  readonly #signal = new AbortController().signal;

  constructor(private readonly lab: LabDescription) {}

  call<T>(node: string, request: DockerRequest): Promise<T> {
    const n = this.lab.nodes.find((x) => x.name === node);
    if (n === undefined) throw new Error(`no node ${node}`);
    return this.#docker.request<T>({ name: node, endpoint: { type: 'socket', socket: n.dockerSocket } }, request, this.#signal);
  }

  get<T>(node: string, path: string): Promise<T> {
    return this.call<T>(node, { method: 'GET', path });
  }

  info(node: string): Promise<EngineInfo> {
    return this.get<EngineInfo>(node, '/info');
  }

  /** Every swarm entry with this hostname, as `via` sees them. */
  async entries(hostname: string, via = 'node1'): Promise<SwarmNode[]> {
    return (await this.get<SwarmNode[]>(via, '/nodes')).filter((n) => n.Description?.Hostname === hostname);
  }

  async node(hostname: string, via = 'node1'): Promise<SwarmNode> {
    const found = await this.entries(hostname, via);
    if (found.length !== 1) throw new Error(`${hostname} has ${found.length} swarm entries`);
    return found[0]!;
  }

  /** Polls `probe` every 500 ms until it returns true; fails with `what` after `ms`. */
  async until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        if (await probe()) return;
      } catch {
        // a daemon restarting or a quorum settling: poll again
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  close(): Promise<void> {
    return this.#docker.close();
  }
}

export interface JsonRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly events: Record<string, unknown>[];
  /** step id (sub-runbook steps as `parent/child`) → outputs of its last step.succeeded */
  readonly outputs: Record<string, Record<string, unknown>>;
  /** step id → reason of its step.skipped (`check`, `when`, `refused`) */
  readonly skipped: Record<string, string>;
  /** step ids that ran their action (step.started) */
  readonly started: string[];
  readonly failed: Record<string, string>;
}

/** `runbook run NAME --json` against `inventory`, with `inputs` as `--input k=v`. */
export async function runbook(
  name: string,
  inventory: string,
  stateDir: string,
  inputs: Readonly<Record<string, string>>,
  options: { yes?: boolean } = {},
): Promise<JsonRun> {
  const args = ['run', name, '-i', inventory, '--state-dir', stateDir, '--json', ...(options.yes === false ? [] : ['--yes'])];
  for (const [k, v] of Object.entries(inputs)) args.push('--input', `${k}=${v}`);
  const r = await runCli(args);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const outputs: Record<string, Record<string, unknown>> = {};
  const skipped: Record<string, string> = {};
  const failed: Record<string, string> = {};
  const started: string[] = [];
  for (const e of events) {
    const step = String(e['step']);
    if (e['type'] === 'step.succeeded') outputs[step] = e['outputs'] as Record<string, unknown>;
    if (e['type'] === 'step.skipped') skipped[step] = String(e['reason']);
    if (e['type'] === 'step.failed') failed[step] = String(e['error']);
    if (e['type'] === 'step.started' && !started.includes(step)) started.push(step);
  }
  return { code: r.code, stderr: r.stderr, events, outputs, skipped, started, failed };
}

/**
 * A copy of the lab's inventory with labels for some nodes and extra groups, written into `dir`. The
 * lab's own inventory stays as the lab wrote it.
 */
export function deriveInventory(
  lab: LabDescription,
  dir: string,
  change: { labels?: Record<string, Record<string, string>>; groups?: Record<string, string[]> },
): string {
  const doc = parse(readFileSync(lab.inventory, 'utf8')) as {
    nodes: { name: string; labels?: Record<string, string> }[];
    groups?: Record<string, string[]>;
  };
  for (const n of doc.nodes) {
    const labels = change.labels?.[n.name];
    if (labels !== undefined) n.labels = labels;
  }
  doc.groups = { ...(doc.groups ?? {}), ...(change.groups ?? {}) };
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/** The lab inventory's power command, `{node}` kept for the engine to fill in. */
export function labPowerCommand(lab: LabDescription, state: 'on' | 'off'): string {
  const doc = parse(readFileSync(lab.inventory, 'utf8')) as { defaults: { power: Record<string, string> } };
  const command = doc.defaults.power[state];
  if (command === undefined) throw new Error(`the lab inventory has no power ${state} command`);
  return command;
}
