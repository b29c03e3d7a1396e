/**
 * Wall time of emergency-shutdown and reboot-from-shutdown on a 5-node lab (3 managers, the registry, an app
 * stack pulling from it), beside the same procedure typed by hand as raw `docker -H unix://…` and power
 * commands on the same lab, in the same run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { labDown, labUp, type LabDescription } from '../engine/lab/commands.js';
import { runbookBin } from '../engine/lab/repo-root.js';

const exec = promisify(execFile);

interface Ctx {
  readonly lab: LabDescription;
  readonly dir: string;
  readonly state: string;
  readonly compose: string;
}

async function sh(command: string): Promise<string> {
  return (await exec('sh', ['-c', command], { maxBuffer: 16 << 20 })).stdout;
}

function socketOf(c: Ctx, node: string): string {
  const n = c.lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new Error(`no node ${node}`);
  return `unix://${n.dockerSocket}`;
}

async function docker(c: Ctx, node: string, args: readonly string[]): Promise<string> {
  return (await exec('docker', ['-H', socketOf(c, node), ...args], { maxBuffer: 16 << 20 })).stdout;
}

/** Polls like a person re-typing a command: every second until `done` or the deadline. */
async function until(what: string, done: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await done()) return;
    } catch {
      // not yet: the daemon is still coming up or going down
    }
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(1_000);
  }
}

/** The lab inventory's own power command, as a person would paste it. */
async function power(c: Ctx, node: string, onOff: 'on' | 'off'): Promise<void> {
  const inv = parse(readFileSync(c.lab.inventory, 'utf8')) as { defaults: { power: Record<'on' | 'off', string> } };
  await sh(inv.defaults.power[onOff].replace('{node}', node));
}

async function cli(c: Ctx, runbook: string): Promise<number> {
  const t0 = performance.now();
  await exec(process.execPath, [runbookBin(), 'run', runbook, '-i', c.lab.inventory, '--state-dir', c.state, '--yes'], { maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: '1' } });
  return performance.now() - t0;
}

const WORKERS = ['node2', 'node3', 'node4', 'node5'];

async function manualShutdown(c: Ctx): Promise<number> {
  const t0 = performance.now();
  await docker(c, 'node1', ['service', 'inspect', ...(await docker(c, 'node1', ['service', 'ls', '-q'])).split('\n').filter(Boolean)]);
  for (const m of ['node2', 'node3']) {
    await docker(c, 'node1', ['node', 'demote', m]);
    await until(`${m} demoted`, async () => (await docker(c, 'node1', ['node', 'inspect', m, '--format', '{{.ManagerStatus}}'])).trim() === '<nil>');
  }
  for (const stack of ['app', 'registry']) {
    await until(`stack ${stack} removed`, async () => {
      const out = await exec('docker', ['-H', socketOf(c, 'node1'), 'stack', 'rm', stack]).catch((e: { stderr?: string }) => ({ stdout: '', stderr: e.stderr ?? '' }));
      return `${out.stdout}${out.stderr}`.includes('Nothing found in stack');
    });
  }
  await until('no task running', async () => (await docker(c, 'node1', ['ps', '-q', '--filter', 'label=com.docker.swarm.service.id'])).trim() === '' && (await docker(c, 'node1', ['service', 'ls', '-q'])).trim() === '');
  await Promise.all(WORKERS.map((n) => power(c, n, 'off')));
  await until('workers down', async () => (await docker(c, 'node1', ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).split('\n').filter((l) => l.endsWith(' Ready')).length === 1);
  await power(c, 'node1', 'off');
  return performance.now() - t0;
}

async function manualReboot(c: Ctx): Promise<number> {
  const t0 = performance.now();
  await power(c, 'node1', 'on');
  await until('node1 leads', async () => (await docker(c, 'node1', ['node', 'ls', '--format', '{{.Hostname}} {{.ManagerStatus}}'])).includes('node1 Leader'));
  await Promise.all(WORKERS.map((n) => power(c, n, 'on')));
  await until('every node Ready', async () => (await docker(c, 'node1', ['node', 'ls', '--format', '{{.Status}}'])).split('\n').filter((l) => l === 'Ready').length === 5);
  for (const m of ['node2', 'node3']) {
    // A person re-types the promotion when the leader stepped down under it (1 → 2 managers), as the runbook retries.
    await until(`${m} promoted`, async () => (await docker(c, 'node1', ['node', 'promote', m]), true));
    await until(`${m} reachable`, async () => (await docker(c, 'node1', ['node', 'inspect', m, '--format', '{{.ManagerStatus.Reachability}}'])).trim() === 'reachable');
  }
  await docker(c, 'node1', ['stack', 'deploy', '--resolve-image', 'never', '-c', join(c.lab.dir, 'stacks', 'registry.yml'), 'registry']);
  await until('registry answers', async () => (await fetch(`http://${c.lab.registry ?? ''}/v2/`)).status === 200);
  await docker(c, 'node1', ['stack', 'deploy', '-c', c.compose, 'app']);
  await until('services converged', async () => {
    const lines = (await docker(c, 'node1', ['service', 'ls', '--format', '{{.Replicas}}'])).split('\n').filter(Boolean);
    return lines.length === 2 && lines.every((l) => /^(\d+)\/\1$/.test(l));
  });
  return performance.now() - t0;
}

async function prepare(lab: LabDescription, dir: string): Promise<Ctx> {
  const compose = join(dir, 'app.yml');
  writeFileSync(
    compose,
    stringify({ version: '3.8', services: { web: { image: `${lab.registry ?? ''}/lab/busybox:1`, command: ['sleep', '3600'], stop_grace_period: '1s', deploy: { replicas: 2 } } } }),
  );
  const inv = parse(readFileSync(lab.inventory, 'utf8')) as { stacks: { name: string; compose: string }[] };
  inv.stacks.push({ name: 'app', compose });
  writeFileSync(lab.inventory, stringify(inv, { lineWidth: 0 }));
  const c = { lab, dir, state: join(dir, 'state'), compose };
  await docker(c, 'node1', ['stack', 'deploy', '-c', compose, 'app']);
  await until('app converged', async () => (await docker(c, 'node1', ['service', 'ls', '--format', '{{.Replicas}}'])).split('\n').filter(Boolean).every((l) => /^(\d+)\/\1$/.test(l)));
  return c;
}

/** Milliseconds: each runbook, and the same procedure typed as raw commands. */
export async function benchProcedures(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'rbp-'));
  const target = { name: `bp${process.pid}`, stateDir: dir };
  try {
    const lab = await labUp({ ...target, nodes: 5, managers: 3, swarm: true, registry: true });
    const c = await prepare(lab, dir);
    const shutdown = await cli(c, 'emergency-shutdown');
    const reboot = await cli(c, 'reboot-from-shutdown');
    const manualOff = await manualShutdown(c);
    const manualOn = await manualReboot(c);
    return {
      emergency_shutdown_runbook_ms: shutdown,
      emergency_shutdown_manual_ms: manualOff,
      reboot_from_shutdown_runbook_ms: reboot,
      reboot_from_shutdown_manual_ms: manualOn,
    };
  } finally {
    await labDown(target);
    rmSync(dir, { recursive: true, force: true });
  }
}
