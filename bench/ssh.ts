/**
 * SSH fan-out on a 10-node lab: `ssh.run hostname` on every node through the engine, beside a
 * parallel OpenSSH loop with ControlMaster and a sequential one, in the same run. Cold = new
 * connections; warm = connections (or ControlMaster sockets) already open.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadRunbook } from '../engine/dsl/validate.js';
import { loadInventory } from '../engine/inventory/load.js';
import type { Inventory } from '../engine/inventory/types.js';
import { systemPorts } from '../engine/io/system-ports.js';
import { executeRun } from '../engine/runner/run.js';
import { labDown, labUp } from '../engine/lab/commands.js';

const run = promisify(execFile);
const NODES = 10;

function sshArgs(inventory: Inventory, address: string, control: string | undefined): string[] {
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

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchSsh(): Promise<Record<string, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'rbl-bench-ssh-'));
  const control = await mkdtemp('/tmp/rb-cm-');
  const target = { name: `bssh${process.pid}`, stateDir };
  try {
    const lab = await labUp({ ...target, nodes: NODES, managers: 1, swarm: false, registry: false });
    const inventory = loadInventory(lab.inventory).value as Inventory;
    const addresses = inventory.nodes.map((n) => n.address);
    const file = join(stateDir, 'fanout.yaml');
    await writeFile(file, 'name: fanout\nsteps:\n  - id: names\n    action: ssh.run\n    on: all\n    with: { command: hostname }\n');
    const runbook = loadRunbook(file).value;
    if (runbook === undefined) throw new Error('fan-out runbook invalid');
    const ports = systemPorts(process.stdin, process.stderr);
    const engineOnce = async (): Promise<void> => {
      const outcome = await executeRun({
        runbook, inputs: {}, inventory, stateDir: join(stateDir, 'state'), yes: true, ports, reporters: [],
        signal: new AbortController().signal, env: {},
      });
      if (outcome.status !== 'succeeded') throw new Error(`fan-out ${outcome.status}`);
    };
    const parallel = (): Promise<unknown> => Promise.all(addresses.map((a) => run('ssh', sshArgs(inventory, a, control))));
    const sequential = async (): Promise<void> => {
      for (const a of addresses) await run('ssh', sshArgs(inventory, a, undefined));
    };
    const rssBefore = process.resourceUsage().maxRSS;
    const engineCold = await timed(engineOnce);
    const engineWarm = await timed(engineOnce);
    await ports.ssh.close();
    const parallelCold = await timed(parallel);
    const parallelWarm = await timed(parallel);
    const sequentialCold = await timed(sequential);
    return {
      'ssh.fanout10.engine.cold.ms': Math.round(engineCold),
      'ssh.fanout10.engine.warm.ms': Math.round(engineWarm),
      'ssh.fanout10.openssh_parallel_controlmaster.cold.ms': Math.round(parallelCold),
      'ssh.fanout10.openssh_parallel_controlmaster.warm.ms': Math.round(parallelWarm),
      'ssh.fanout10.openssh_sequential.ms': Math.round(sequentialCold),
      'ssh.fanout10.engine_vs_parallel.cold.ratio': Math.round((engineCold / parallelCold) * 100) / 100,
      'ssh.fanout10.engine_vs_parallel.warm.ratio': Math.round((engineWarm / parallelWarm) * 100) / 100,
      'ssh.fanout10.peak_rss_mib': Math.round(Math.max(rssBefore, process.resourceUsage().maxRSS) / 1024),
    };
  } finally {
    await run('sh', ['-c', `for s in ${control}/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`]).catch(() => undefined);
    await labDown(target);
    await rm(stateDir, { recursive: true, force: true });
    await rm(control, { recursive: true, force: true });
  }
}
