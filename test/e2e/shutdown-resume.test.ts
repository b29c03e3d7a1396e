/**
 * emergency-shutdown and reboot-from-shutdown with the runner killed by SIGKILL at a random step, then
 * `runbook resume`: the cluster ends in the same state as an uninterrupted run, and no step instance
 * succeeds twice across the run's attempts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli, workspace, type CliResult } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { LabApi, type ApiNode } from '../integration/docker/lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;
let inventory: string;
let state: string;

interface JournalRecord {
  readonly type: string;
  readonly runbook?: string;
  readonly instance?: string;
}

const SHUTDOWN_STEPS = ['record', 'demote[', 'remove-stacks[', 'remove-services[', 'no-tasks', 'power-off-workers@', 'others-down', 'power-off-last'];
const REBOOT_STEPS = ['sources[', 'power-on-first', 'first-leads', 'power-on-others@', 'ready', 'promote[', 'deploy-registry', 'registry-health', 'deploy-stacks[', 'restore-services'];

/** A random step, or the one named in RUNBOOK_KILL_AT (to replay a failure). */
function pick(prefixes: readonly string[]): string {
  const wanted = process.env['RUNBOOK_KILL_AT'];
  const chosen = prefixes.find((p) => wanted !== undefined && wanted.startsWith(p)) ?? prefixes[Math.floor(Math.random() * prefixes.length)];
  return chosen as string;
}

function docker(node: string, args: readonly string[]): string {
  const n = handle.lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new Error(`no node ${node}`);
  return execFileSync('docker', ['-H', `unix://${n.dockerSocket}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function journalOf(runbook: string): JournalRecord[] {
  for (const id of readdirSync(join(state, 'runs')).sort().reverse()) {
    const records = readFileSync(join(state, 'runs', id, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as JournalRecord);
    if (records[0]?.runbook === runbook) return records;
  }
  throw new Error(`no run of ${runbook}`);
}

/** Runs `runbook` and kills the runner with SIGKILL as soon as an instance starting with `prefix` starts. */
async function killedAt(runbook: string, prefix: string): Promise<{ result: CliResult; killed: string | undefined }> {
  let killed: string | undefined;
  const result = await runCli(['run', runbook, '-i', inventory, '--state-dir', state, '--yes', '--json'], {
    cwd: dir,
    onSpawn: (child) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (killed !== undefined || !line.startsWith('{')) continue;
          const event = JSON.parse(line) as { type: string; instance?: string };
          if (event.type === 'step.started' && event.instance?.startsWith(prefix) === true) {
            killed = event.instance;
            child.kill('SIGKILL');
          }
        }
      });
    },
  });
  return { result, killed };
}

async function resume(): Promise<CliResult> {
  // The power commands the killed runner started finish on their own, as they would on a real cluster.
  await sleep(3_000);
  return runCli(['resume', '--state-dir', state, '--yes'], { cwd: dir });
}

/** Instances that succeeded more than once across the run's `run.started` records. */
function succeededTwice(journal: readonly JournalRecord[]): string[] {
  const seen = new Map<string, number>();
  for (const r of journal) if (r.type === 'step.succeeded' && r.instance !== undefined) seen.set(r.instance, (seen.get(r.instance) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([i]) => i);
}

beforeAll(async () => {
  handle = await withLab({ nodes: 5, managers: 3, swarm: true, registry: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  state = join(dir, 'state');
  inventory = handle.lab.inventory;
  const compose = join(dir, 'app.yml');
  writeFileSync(
    compose,
    stringify({
      version: '3.8',
      services: { web: { image: `${handle.lab.registry}/lab/busybox:1`, command: ['sleep', '3600'], stop_grace_period: '1s', deploy: { replicas: 2 } } },
    }),
  );
  const inv = parse(readFileSync(inventory, 'utf8')) as { stacks: { name: string; compose: string }[] };
  inv.stacks.push({ name: 'app', compose });
  writeFileSync(inventory, stringify(inv, { lineWidth: 0 }));
  docker('node1', ['stack', 'deploy', '--compose-file', compose, 'app']);
  // A service outside any stack, so that remove-services and restore-services have work to be killed in.
  const image = `${handle.lab.registry}/lab/busybox:1`;
  docker('node1', ['service', 'create', '--detach', '--name', 'loose', '--stop-grace-period', '1s', image, 'sleep', '3600']);
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

describe('kill -9 and resume', () => {
  it('emergency-shutdown killed at a random step resumes to every node off, nothing done twice', async () => {
    const at = pick(SHUTDOWN_STEPS);
    const { result, killed } = await killedAt('emergency-shutdown', at);
    expect(result.signal, `killed at ${at}: ${result.stderr}`).toBe('SIGKILL');
    expect(killed).toBeDefined();
    const r = await resume();
    expect(r.code, `killed at ${String(killed)}: ${r.stderr}`).toBe(0);
    const journal = journalOf('emergency-shutdown');
    expect(journal.filter((x) => x.type === 'run.started')).toHaveLength(2);
    expect(succeededTwice(journal), `killed at ${String(killed)}`).toEqual([]);
    expect(journal.some((x) => x.type === 'step.succeeded' && x.instance === 'power-off-last@node1')).toBe(true);
    for (const n of handle.lab.nodes) expect(existsSync(n.dockerSocket), `${n.name} (killed at ${String(killed)})`).toBe(false);
  }, 300_000);

  it('reboot-from-shutdown killed at a random step resumes to 5 Ready, 3 managers, every stack converged', async () => {
    const at = pick(REBOOT_STEPS);
    const { result, killed } = await killedAt('reboot-from-shutdown', at);
    expect(result.signal, `killed at ${at}: ${result.stderr}`).toBe('SIGKILL');
    const r = await resume();
    expect(r.code, `killed at ${String(killed)}: ${r.stderr}`).toBe(0);
    const journal = journalOf('reboot-from-shutdown');
    expect(journal.filter((x) => x.type === 'run.started')).toHaveLength(2);
    expect(succeededTwice(journal), `killed at ${String(killed)}`).toEqual([]);

    const nodes = await api.get<ApiNode[]>('node1', '/nodes');
    expect(nodes.filter((n) => n.Status?.State === 'ready')).toHaveLength(5);
    expect(nodes.filter((n) => n.ManagerStatus?.Reachability === 'reachable').map((n) => n.Description?.Hostname).sort()).toEqual(['node1', 'node2', 'node3']);
    const services = await api.get<{ Spec: { Name: string }; ServiceStatus?: { RunningTasks: number; DesiredTasks: number } }[]>('node1', '/services?status=true');
    expect(services.map((s) => s.Spec.Name).sort()).toEqual(['app_web', 'loose', 'registry_registry']);
    for (const s of services) expect(s.ServiceStatus?.RunningTasks, s.Spec.Name).toBe(s.ServiceStatus?.DesiredTasks);
    expect((await fetch(`http://${handle.lab.registry}/v2/`)).status).toBe(200);
  }, 300_000);
});
