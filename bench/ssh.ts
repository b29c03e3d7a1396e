/**
 * On one 10-node lab (a swarm, one manager): SSH fan-out — `ssh.run hostname` on every node through the
 * engine, beside a parallel OpenSSH loop with ControlMaster and a sequential one, in the same run (cold =
 * new connections; warm = connections or ControlMaster sockets already open) — and labelling every node
 * through the Engine API (`docker.node.update`, one instance per node): wall time and per-node latency;
 * what node identity adds to them;
 * then the power-off of its 9 workers through the quorum gate.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadInventory, loadRunbook, run as runbookRun, systemPorts, type Inventory, type Ports, type Reporter, type RunEvent, type Runbook, openRunStore } from '../engine/index.js';
import { labDown, labUp } from '../engine/lab/commands.js';
import { benchNodeIdentity } from './node-identity.js';
import { benchPowerOff } from './power-off.js';

const run = promisify(execFile);
const NODES = 10;
const ROUNDS = 3;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function sshArgs(inventory: Inventory, address: string, control: string | undefined): string[] {
  const node = inventory.nodes[0];
  const multiplex = control === undefined
    ? ['-o', 'ControlMaster=no']
    : ['-o', 'ControlMaster=auto', '-o', `ControlPath=${control}/%h`, '-o', 'ControlPersist=60'];
  return [
    '-i', node?.ssh.identity ?? '',
    '-o', `UserKnownHostsFile=${node?.ssh.knownHosts ?? ''}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    ...multiplex,
    `root@${address}`,
    'hostname',
  ];
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchSsh(): Promise<Record<string, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'rbl-bench-ssh-'));
  const control = await mkdtemp('/tmp/rb-cm-');
  const target = { name: `bssh${process.pid}`, stateDir };
  try {
    const lab = await labUp({ ...target, nodes: NODES, managers: 1, swarm: true, registry: false });
    const inventory = loadInventory(lab.inventory).value as Inventory;
    const addresses = inventory.nodes.map((n) => n.address);
    const file = join(stateDir, 'fanout.yaml');
    await writeFile(file, 'name: fanout\nsteps:\n  - id: names\n    action: ssh.run\n    on: all\n    with: { command: hostname }\n');
    const runbook = loadRunbook(file).value;
    if (runbook === undefined) throw new Error('fan-out runbook invalid');
    const labelFile = join(stateDir, 'label.yaml');
    await writeFile(
      labelFile,
      'name: label-all\ninputs:\n  value: { type: string }\nsteps:\n  - id: label\n    action: docker.node.update\n' +
        '    foreach: "${{ inventory.nodes.map(n, n.name) }}"\n    concurrency: 10\n    on: manager\n' +
        '    with: { node: "${{ item }}", labels: { bench: "${{ inputs.value }}" } }\n',
    );
    const labelRunbook = loadRunbook(labelFile).value;
    if (labelRunbook === undefined) throw new Error('label runbook invalid');
    const latencies: number[] = [];
    const recordLatency = { onEvent: (e: RunEvent) => { if (e.type === 'step.succeeded') latencies.push(e.durationMs); } };
    const execute = async (ports: Ports, which: Runbook, inputs: Record<string, unknown>, reporters: readonly Reporter[]): Promise<void> => {
      const outcome = await runbookRun({ runbook: which, inputs, inventory, store: await openRunStore({ stateDir: join(stateDir, 'state') }), yes: true, ports, reporters });
      if (outcome.status !== 'succeeded') throw new Error(`${which.name} ${outcome.status}`);
    };
    const parallel = (): Promise<unknown> => Promise.all(addresses.map((a) => run('ssh', sshArgs(inventory, a, control))));
    const closeMasters = (): Promise<unknown> =>
      run('sh', ['-c', `for s in ${control}/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`]);
    const sequential = async (): Promise<void> => {
      for (const a of addresses) await run('ssh', sshArgs(inventory, a, undefined));
    };
    // Let the freshly formed swarm settle, then alternate the engine and OpenSSH, cold (new connections)
    // and warm (connections or ControlMaster sockets open), and take medians: the nodes' load drifts.
    await new Promise((r) => setTimeout(r, 5_000));
    const engine = { cold: [] as number[], warm: [] as number[] };
    const openssh = { cold: [] as number[], warm: [] as number[] };
    // The process's lifetime peak includes the engine benchmarks run before: sample RSS during the fan-out.
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
    for (let round = 0; round < ROUNDS; round++) {
      const ports = systemPorts(process.stdin, process.stderr);
      engine.cold.push(await timed(() => execute(ports, runbook, {}, [])));
      engine.warm.push(await timed(() => execute(ports, runbook, {}, [])));
      await ports.ssh.close();
      await ports.docker.close();
      openssh.cold.push(await timed(parallel));
      openssh.warm.push(await timed(parallel));
      await closeMasters();
    }
    clearInterval(sampler);
    const sequentialCold = await timed(sequential);
    // Two label rounds so that each node's label really changes; the second on warm connections.
    const ports = systemPorts(process.stdin, process.stderr);
    const labelCold = await timed(() => execute(ports, labelRunbook, { value: 'a' }, [recordLatency]));
    latencies.length = 0;
    const labelWarm = await timed(() => execute(ports, labelRunbook, { value: 'b' }, [recordLatency]));
    await ports.ssh.close();
    await ports.docker.close();
    const fresh = systemPorts(process.stdin, process.stderr);
    const identity = await benchNodeIdentity(fresh, inventory, median(engine.warm));
    await fresh.ssh.close();
    await fresh.docker.close();
    // Last: it leaves the workers off.
    const powerOff = await benchPowerOff(lab.inventory, inventory, stateDir);
    const figures = {
      engineCold: median(engine.cold),
      engineWarm: median(engine.warm),
      opensshCold: median(openssh.cold),
      opensshWarm: median(openssh.warm),
    };
    return {
      'ssh.fanout10.engine.cold.ms': Math.round(figures.engineCold),
      'ssh.fanout10.engine.warm.ms': Math.round(figures.engineWarm),
      'ssh.fanout10.openssh_parallel_controlmaster.cold.ms': Math.round(figures.opensshCold),
      'ssh.fanout10.openssh_parallel_controlmaster.warm.ms': Math.round(figures.opensshWarm),
      'ssh.fanout10.openssh_sequential.ms': Math.round(sequentialCold),
      'ssh.fanout10.engine_vs_parallel.cold.ratio': Math.round((figures.engineCold / figures.opensshCold) * 100) / 100,
      'ssh.fanout10.engine_vs_parallel.warm.ratio': Math.round((figures.engineWarm / figures.opensshWarm) * 100) / 100,
      'ssh.fanout10.rss_before_mib': Math.round(rssBefore / 2 ** 20),
      'ssh.fanout10.rss_peak_mib': Math.round(rssPeak / 2 ** 20),
      'api.label10.cold.ms': Math.round(labelCold),
      'api.label10.warm.ms': Math.round(labelWarm),
      'api.label10.per_node.median.ms': Math.round(median(latencies)),
      'api.label10.per_node.max.ms': Math.round(Math.max(...latencies)),
      ...identity,
      ...powerOff,
    };
  } finally {
    await run('sh', ['-c', `for s in ${control}/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`]).catch(() => undefined);
    await labDown(target);
    await rm(stateDir, { recursive: true, force: true });
    await rm(control, { recursive: true, force: true });
  }
}
