/**
 * SSH fan-out at scale, on light lab nodes (sshd only, no dockerd): `ssh.run hostname` on 10, 50 and 200
 * nodes over new connections, beside a parallel OpenSSH loop with the same key exchange (curve25519-sha256),
 * the benchmark process's RSS and CPU, and the memory each light node costs. At 200 nodes also with the
 * connection cap lifted and set to 16, and at 50 nodes the client CPU per connection by key exchange.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadInventory, loadRunbook, openRunStore, run as runbookRun, systemPorts, type Inventory, type Runbook } from '../engine/index.js';
import { SshPool } from '../engine/io/ssh/pool.js';
import { labDown, labUp } from '../engine/lab/commands.js';
import { memAvailableKiB } from './lab.js';
import { median, sshArgs, timed } from './ssh.js';

const run = promisify(execFile);
const SIZES = [10, 50, 200] as const;

/** The inventory with every node's SSH settings changed, as `defaults.ssh` would change them. */
function withSsh(inventory: Inventory, ssh: { kex?: readonly string[]; maxConnections?: number }): Inventory {
  return { ...inventory, nodes: inventory.nodes.map((n) => ({ ...n, ssh: { ...n.ssh, ...ssh } })) };
}

interface FanOut {
  readonly ms: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
  /** RSS with every connection still open. */
  readonly rssOpen: number;
  /** CPU of this process (user + system), ms. */
  readonly cpuMs: number;
  readonly peakConnecting: number;
}

async function fanOut(runbook: Runbook, inventory: Inventory, stateDir: string): Promise<FanOut> {
  const ports = systemPorts(process.stdin, process.stderr);
  const store = await openRunStore({ stateDir: join(stateDir, 'state') });
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
  const cpu = process.cpuUsage();
  try {
    const ms = await timed(async () => {
      const outcome = await runbookRun({ runbook, inputs: {}, inventory, store, yes: true, ports, reporters: [] });
      if (outcome.status !== 'succeeded') throw new Error(`fan-out ${outcome.status}`);
    });
    const used = process.cpuUsage(cpu);
    const rssOpen = process.memoryUsage().rss;
    const peakConnecting = ports.ssh instanceof SshPool ? ports.ssh.peakConnecting : 0;
    return { ms, rssBefore, rssPeak: Math.max(rssPeak, rssOpen), rssOpen, cpuMs: (used.user + used.system) / 1000, peakConnecting };
  } finally {
    clearInterval(sampler);
    await ports.ssh.close();
    await ports.docker.close();
  }
}

const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
const round1 = (n: number): number => Math.round(n * 10) / 10;

async function benchSize(nodes: number, stateDir: string, file: string): Promise<Record<string, number>> {
  const target = { name: `bfan${process.pid}`, stateDir };
  const runbook = loadRunbook(file).value;
  if (runbook === undefined) throw new Error('fan-out runbook invalid');
  try {
    const before = await memAvailableKiB();
    const upMs = await timed(() => labUp({ ...target, nodes, managers: 1, swarm: false, registry: false, light: true }));
    const perNodeMiB = (before - (await memAvailableKiB())) / nodes / 1024;
    const inventory = loadInventory(join(stateDir, 'labs', target.name, 'inventory.yaml')).value as Inventory;
    const parallel = (): Promise<unknown> =>
      Promise.all(inventory.nodes.map((n) => run('ssh', ['-o', 'KexAlgorithms=curve25519-sha256', ...sshArgs(inventory, n.address, undefined)])));
    // Alternate the engine and OpenSSH and take medians: the nodes' load drifts. One round at 200 keeps it short.
    const rounds = nodes >= 200 ? 1 : 3;
    const engine: FanOut[] = [];
    const openssh: number[] = [];
    for (let i = 0; i < rounds; i++) {
      engine.push(await fanOut(runbook, inventory, stateDir));
      openssh.push(await timed(parallel));
    }
    const mid = [...engine].sort((a, b) => a.ms - b.ms)[Math.floor(engine.length / 2)]!;
    const floor = median(openssh);
    const p = `fanout.light${nodes}`;
    const figures: Record<string, number> = {
      [`lab.light${nodes}.up.ms`]: Math.round(upMs),
      [`lab.light${nodes}.memory.perNode.MiB`]: round1(perNodeMiB),
      [`${p}.engine.cold.ms`]: Math.round(mid.ms),
      [`${p}.openssh_parallel.cold.ms`]: Math.round(floor),
      [`${p}.engine_vs_parallel.cold.ratio`]: Math.round((mid.ms / floor) * 100) / 100,
      [`${p}.rss_before_mib`]: mib(mid.rssBefore),
      [`${p}.rss_peak_mib`]: mib(mid.rssPeak),
      [`${p}.rss_per_connection_kib`]: Math.round((mid.rssOpen - mid.rssBefore) / nodes / 1024),
      [`${p}.cpu_per_connection.ms`]: round1(mid.cpuMs / nodes),
      [`${p}.peak_connecting`]: mid.peakConnecting,
    };
    if (nodes >= 200) {
      const uncapped = await fanOut(runbook, withSsh(inventory, { maxConnections: 10_000 }), stateDir);
      const cap16 = await fanOut(runbook, withSsh(inventory, { maxConnections: 16 }), stateDir);
      figures[`${p}.engine.uncapped.ms`] = Math.round(uncapped.ms);
      figures[`${p}.engine.uncapped.peak_connecting`] = uncapped.peakConnecting;
      figures[`${p}.engine.cap16.ms`] = Math.round(cap16.ms);
    }
    if (nodes === 50) {
      for (const kex of ['curve25519-sha256', 'ecdh-sha2-nistp256']) {
        const r = await fanOut(runbook, withSsh(inventory, { kex: [kex] }), stateDir);
        figures[`${p}.cpu_per_connection.${kex}.ms`] = round1(r.cpuMs / nodes);
        figures[`${p}.engine.${kex}.ms`] = Math.round(r.ms);
      }
    }
    figures[`lab.light${nodes}.down.ms`] = Math.round(await timed(() => labDown(target)));
    return figures;
  } finally {
    await labDown(target);
  }
}

export async function benchFanout(): Promise<Record<string, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'rbl-bench-fan-'));
  try {
    const file = join(stateDir, 'fanout.yaml');
    await writeFile(file, 'name: fanout\nsteps:\n  - id: names\n    action: ssh.run\n    on: all\n    with: { command: hostname }\n');
    const figures: Record<string, number> = {};
    for (const nodes of SIZES) Object.assign(figures, await benchSize(nodes, stateDir, file));
    return figures;
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}
