/**
 * emergency-shutdown and reboot-from-shutdown on a 5-node lab (3 managers) with the real private registry,
 * an app stack pulling its image from that registry and a service outside any stack. State is read from
 * the nodes' Engine APIs and the journal; the drill goes through the CLI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli, workspace } from '../helpers/cli.js';
import { errorLookingLines } from '../helpers/stray-errors.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { LabApi, type ApiNode } from '../integration/docker/lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;
let inventory: string;
let state: string;

interface JournalRecord {
  readonly seq: number;
  readonly type: string;
  readonly runId?: string;
  readonly instance?: string;
  readonly step?: string;
  readonly reason?: string;
  readonly outputs?: Record<string, unknown>;
}

function docker(node: string, args: readonly string[]): string {
  const n = handle.lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new Error(`no node ${node}`);
  return execFileSync('docker', ['-H', `unix://${n.dockerSocket}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The journal of the newest run of `runbook` under the state directory. */
function journalOf(runbook: string): JournalRecord[] {
  const runs = readdirSync(join(state, 'runs')).sort().reverse();
  for (const id of runs) {
    const lines = readFileSync(join(state, 'runs', id, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith('{'));
    const records = lines.map((l) => JSON.parse(l) as JournalRecord & { runbook?: string });
    if (records[0]?.runbook === runbook) return records;
  }
  throw new Error(`no run of ${runbook}`);
}

function seqOf(journal: readonly JournalRecord[], type: string, instance: (i: string) => boolean): number[] {
  return journal.filter((r) => r.type === type && r.instance !== undefined && instance(r.instance)).map((r) => r.seq);
}

async function swarmNodes(via: string): Promise<ApiNode[]> {
  return api.get<ApiNode[]>(via, '/nodes');
}

beforeAll(async () => {
  handle = await withLab({ nodes: 5, managers: 3, swarm: true, registry: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  state = join(dir, 'state');
  inventory = handle.lab.inventory;
  // An app stack whose image only the lab registry has, listed in the inventory after the registry.
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
  docker('node1', ['service', 'create', '--detach', '--name', 'loose', '--stop-grace-period', '1s', 'lab/busybox:1', 'sleep', '3600']);
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

function run(runbook: string, extra: readonly string[] = []): ReturnType<typeof runCli> {
  return runCli(['run', runbook, '-i', inventory, '--state-dir', state, '--yes', ...extra], { cwd: dir });
}

describe('docker.node.ls', () => {
  it('lists every node with its live role, reachability, leader and state, under inventory names', async () => {
    docker('node1', ['node', 'update', '--label-add', 'function=production', 'node4']);
    const file = join(dir, 'ls.yaml');
    writeFileSync(
      file,
      `name: ls\nsteps:\n  - id: ls\n    action: docker.node.ls\n    on: node2\n  - id: none\n    action: docker.node.ls\n    on: local\n    with: { optional: true }\n`,
    );
    const r = await runCli(['run', file, '-i', inventory, '--state-dir', join(dir, 'ls-state'), '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const succeeded = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; step?: string; outputs?: Record<string, unknown> })
      .filter((e) => e.type === 'step.succeeded');
    const out = succeeded.find((e) => e.step === 'ls')?.outputs as Record<string, unknown>;
    expect(out['managers']).toEqual(['node1', 'node2', 'node3']);
    expect(out['reachable_managers']).toEqual(['node1', 'node2', 'node3']);
    expect(out['leader']).toBe('node1');
    expect(out['via']).toBe('node2');
    const rows = out['nodes'] as { name: string; id: string; manager: boolean; leader: boolean; state: string; labels: Record<string, string> }[];
    const live = await swarmNodes('node1');
    expect(rows.map((n) => n.name)).toEqual(['node1', 'node2', 'node3', 'node4', 'node5']);
    for (const row of rows) {
      const entry = live.find((n) => n.ID === row.id);
      expect(entry?.Description?.Hostname).toBe(row.name);
      expect(row.manager).toBe(entry?.ManagerStatus !== undefined);
      expect(row.state).toBe('ready');
    }
    expect(rows.find((n) => n.name === 'node4')?.labels).toEqual({ function: 'production' });
    // With `on: local` any inventory manager answers.
    expect(succeeded.find((e) => e.step === 'none')?.outputs?.['answered']).toBe(true);
  }, 60_000);
});

describe('emergency-shutdown, then reboot-from-shutdown', () => {
  it('shuts every node down in the seed order and records the last manager and the snapshot', async () => {
    const r = await run('emergency-shutdown');
    expect(r.code, r.stderr).toBe(0);
    // Two stacks removed side by side, a first shutdown record: expected conditions, none printed as an error.
    expect(errorLookingLines(r.stderr)).toEqual([]);
    const journal = journalOf('emergency-shutdown');
    const demoted = seqOf(journal, 'step.succeeded', (i) => i.startsWith('demote['));
    const stacksRemoved = seqOf(journal, 'step.succeeded', (i) => i.startsWith('remove-stacks['));
    const stacksStarted = seqOf(journal, 'step.started', (i) => i.startsWith('remove-stacks['));
    const workersOff = seqOf(journal, 'step.succeeded', (i) => i.startsWith('power-off-workers@'));
    const workersStarted = seqOf(journal, 'step.started', (i) => i.startsWith('power-off-workers@'));
    const lastStarted = seqOf(journal, 'step.started', (i) => i.startsWith('power-off-last'));
    const lastOff = seqOf(journal, 'step.succeeded', (i) => i.startsWith('power-off-last'));
    expect(demoted).toHaveLength(2);
    expect(stacksRemoved).toHaveLength(2);
    expect(workersOff).toHaveLength(4);
    expect(lastOff).toHaveLength(1);
    expect(Math.max(...demoted)).toBeLessThan(Math.min(...stacksStarted));
    expect(Math.max(...stacksRemoved)).toBeLessThan(Math.min(...workersStarted));
    expect(Math.max(...workersOff)).toBeLessThan(Math.min(...lastStarted));
    expect(journal.some((x) => x.type === 'step.succeeded' && x.instance === 'remove-services[loose]@node1')).toBe(true);

    // The journal says which manager went last and where the snapshot is.
    const last = journal.find((x) => x.type === 'step.succeeded' && x.instance === 'power-off-last@node1');
    expect(last?.outputs?.['last_manager']).toBe('node1');
    const services = String(last?.outputs?.['services_snapshot']);
    const snapshot = JSON.parse(readFileSync(services, 'utf8')) as { services: { Spec: { Name: string } }[] };
    expect(snapshot.services.map((s) => s.Spec.Name).sort()).toEqual(['app_web', 'loose', 'registry_registry']);
    expect(readFileSync(join(String(last?.outputs?.['stacks_snapshot']), 'app.yml'), 'utf8')).toContain('/lab/busybox:1');
    expect(readFileSync(join(state, 'shutdown', handle.lab.name, 'last-manager'), 'utf8').trim()).toBe('node1');

    // Every node is off: no daemon socket, no SSH.
    for (const n of handle.lab.nodes) {
      expect(existsSync(n.dockerSocket), n.name).toBe(false);
      await expect(api.info(n.name)).rejects.toThrow();
    }
  }, 240_000);

  it('changes nothing when run again on the cluster it shut down', async () => {
    const r = await run('emergency-shutdown');
    expect(r.code, r.stderr).toBe(0);
    const journal = journalOf('emergency-shutdown');
    const succeeded = journal.filter((x) => x.type === 'step.succeeded').map((x) => x.instance);
    expect(succeeded).toEqual(['nodes']);
    expect(journal.filter((x) => x.type === 'step.skipped' && x.reason === 'check').map((x) => x.instance).sort()).toEqual(
      ['already-off@node1', 'already-off@node2', 'already-off@node3', 'already-off@node4', 'already-off@node5'],
    );
  }, 60_000);

  it('boots the last manager first, restores 3 managers, the registry before the app, and converges', async () => {
    // The app's compose file is gone (its storage is not back yet): the shutdown's copy is deployed instead.
    const compose = join(dir, 'app.yml');
    renameSync(compose, `${compose}.away`);
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run('reboot-from-shutdown');
    } finally {
      renameSync(`${compose}.away`, compose);
    }
    expect(r.code, r.stderr).toBe(0);
    const journal = journalOf('reboot-from-shutdown');
    const sources = journal.filter((x) => x.type === 'step.succeeded' && x.step === 'sources');
    const kept = readFileSync(join(state, 'shutdown', handle.lab.name, 'stacks'), 'utf8').trim();
    expect(sources.find((x) => x.instance === 'sources[app]')?.outputs?.['stdout']).toBe(`${kept}/app.yml`);
    expect(sources.find((x) => x.instance === 'sources[registry]')?.outputs?.['stdout']).toBe(join(handle.lab.dir, 'stacks', 'registry.yml'));
    const first = seqOf(journal, 'step.succeeded', (i) => i === 'power-on-first@node1');
    const others = seqOf(journal, 'step.started', (i) => i.startsWith('power-on-others@'));
    const healthy = seqOf(journal, 'step.succeeded', (i) => i === 'registry-health');
    const app = seqOf(journal, 'step.started', (i) => i.startsWith('deploy-stacks[app]'));
    const registry = seqOf(journal, 'step.succeeded', (i) => i.startsWith('deploy-registry'));
    expect(first).toHaveLength(1);
    expect(Math.max(...first)).toBeLessThan(Math.min(...others));
    expect(registry).toHaveLength(1);
    expect(Math.max(...registry)).toBeLessThan(Math.min(...healthy));
    expect(Math.max(...healthy)).toBeLessThan(Math.min(...app));

    const nodes = await swarmNodes('node2');
    expect(nodes).toHaveLength(5);
    expect(nodes.every((n) => n.Status?.State === 'ready')).toBe(true);
    const managers = nodes.filter((n) => n.ManagerStatus?.Reachability === 'reachable').map((n) => n.Description?.Hostname).sort();
    expect(managers).toEqual(['node1', 'node2', 'node3']);
    const services = await api.get<{ Spec: { Name: string; TaskTemplate: { ContainerSpec: { Image: string } } }; ServiceStatus?: { RunningTasks: number; DesiredTasks: number } }[]>(
      'node1',
      '/services?status=true',
    );
    const byName = new Map(services.map((s) => [s.Spec.Name, s]));
    expect([...byName.keys()].sort()).toEqual(['app_web', 'loose', 'registry_registry']);
    for (const s of services) expect(s.ServiceStatus?.RunningTasks, s.Spec.Name).toBe(s.ServiceStatus?.DesiredTasks);
    expect(byName.get('app_web')?.ServiceStatus?.RunningTasks).toBe(2);
    expect(byName.get('app_web')?.Spec.TaskTemplate.ContainerSpec.Image).toContain(`${handle.lab.registry}/lab/busybox:1`);
    const health = await fetch(`http://${handle.lab.registry}/v2/`);
    expect(health.status).toBe(200);
  }, 300_000);

  it('changes nothing when run again on the running cluster', async () => {
    const r = await run('reboot-from-shutdown');
    expect(r.code, r.stderr).toBe(0);
    const journal = journalOf('reboot-from-shutdown');
    // What still runs only reads: the shutdown record, probes and waits.
    const ran = [...new Set(journal.filter((x) => x.type === 'step.succeeded').map((x) => x.step))].sort();
    expect(ran).toEqual(['converged', 'first', 'first-leads', 'given', 'managers', 'ready', 'recorded', 'registry-health', 'snapshot', 'sources']);
    const skipped = journal.filter((x) => x.type === 'step.skipped').map((x) => x.step);
    for (const step of ['power-on-first', 'power-on-others', 'promote', 'deploy-registry', 'deploy-stacks', 'restore-services']) {
      expect(skipped, step).toContain(step);
    }
  }, 120_000);
});

describe('runbook drill emergency-shutdown', () => {
  it('rehearses the shutdown on a lab shaped like the inventory, which is gone afterwards', async () => {
    const ws = workspace({
      'prod.yaml': `
cluster: prod
defaults:
  ssh: { user: root, identity: ~/.ssh/id_ed25519 }
nodes:
  - { name: m1, address: 192.0.2.11, role: manager }
  - { name: m2, address: 192.0.2.12, role: manager }
  - { name: m3, address: 192.0.2.13, role: manager }
  - { name: w1, address: 192.0.2.21, role: worker }
`,
    });
    const name = `ds${process.pid}`;
    const r = await runCli(['drill', 'emergency-shutdown', '-i', 'prod.yaml', '--lab-name', name, '--no-registry', '--state-dir', 's'], { cwd: ws });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ power-off-last@m1/);
    expect(r.stderr).toMatch(/✔ demote\[m[23]\]@m1/);
    expect(r.stderr).toContain(`drill: lab ${name} removed`);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(`rbl-${name}-`);
  }, 240_000);
});
