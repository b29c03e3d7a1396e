/**
 * Power-off of every worker of a lab through the engine — each instance admitted by the quorum gate —
 * beside the lab's own power commands run in parallel by hand, on the same lab in the same run, and how
 * many `GET /nodes` the gate made for the whole fan-out (the guard it replaced made one per instance).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { loadRunbook, run as runbookRun, systemPorts, type Inventory, type Ports, openRunStore } from '../engine/index.js';

const run = promisify(execFile);

/** The lab's ports with `GET /nodes` counted. */
function counting(ports: Ports): { ports: Ports; reads: () => number } {
  let reads = 0;
  const docker: Ports['docker'] = {
    request: (target, request, signal) => {
      if (request.method === 'GET' && request.path === '/nodes') reads += 1;
      return ports.docker.request(target, request, signal);
    },
    close: () => ports.docker.close(),
  };
  return { ports: { ...ports, docker }, reads: () => reads };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchPowerOff(inventoryFile: string, inventory: Inventory, stateDir: string): Promise<Record<string, number>> {
  const workers = inventory.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  const file = join(stateDir, 'power-off-workers.yaml');
  await writeFile(file, 'name: power-off-workers\nsteps:\n  - id: off\n    action: power.off\n    on: workers\n    concurrency: 10\n');
  const runbook = loadRunbook(file).value;
  if (runbook === undefined) throw new Error('power-off runbook invalid');
  const power = (parse(readFileSync(inventoryFile, 'utf8')) as { defaults: { power: Record<'on' | 'off', string> } }).defaults.power;
  const each = (onOff: 'on' | 'off'): Promise<unknown> =>
    Promise.all(workers.map((w) => run('sh', ['-c', power[onOff].replace('{node}', w)])));
  const { ports, reads } = counting(systemPorts(process.stdin, process.stderr));
  const engine = await timed(async () => {
    const outcome = await runbookRun({ runbook, inputs: {}, inventory, store: await openRunStore({ stateDir: join(stateDir, 'state') }), yes: true, ports });
    if (outcome.status !== 'succeeded') throw new Error(`power-off ${outcome.status}: ${outcome.error?.message ?? ''}`);
  });
  await ports.ssh.close();
  await ports.docker.close();
  await each('on');
  // By hand: the same power commands at once; they return once the node's daemons are gone.
  const byHand = await timed(() => each('off'));
  return {
    [`power_off.workers${workers.length}.engine.ms`]: Math.round(engine),
    [`power_off.workers${workers.length}.by_hand_parallel.ms`]: Math.round(byHand),
    [`power_off.workers${workers.length}.engine_vs_by_hand.ratio`]: Math.round((engine / byHand) * 100) / 100,
    [`power_off.workers${workers.length}.gate_reads_of_nodes`]: reads(),
  };
}
