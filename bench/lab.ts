/**
 * Wall time of bringing a 5-node lab (3 managers, swarm, registry) up and down, and the memory each node
 * costs (drop in MemAvailable while it is up, per node). Targets: up < 60 s, down < 15 s.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../engine/lab/commands.js';

const NODES = 5;

export async function memAvailableKiB(): Promise<number> {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'));
  return Number(m?.[1] ?? 0);
}

export async function benchLab(): Promise<Record<string, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'rbl-bench-'));
  const target = { name: `bench${process.pid}`, stateDir };
  try {
    const before = await memAvailableKiB();
    const upStart = performance.now();
    await labUp({ ...target, nodes: NODES, managers: 3, swarm: true, registry: true });
    const upMs = performance.now() - upStart;
    const after = await memAvailableKiB();
    const downStart = performance.now();
    await labDown(target);
    const downMs = performance.now() - downStart;
    return {
      'lab.up.5nodes.ms': Math.round(upMs),
      'lab.down.5nodes.ms': Math.round(downMs),
      'lab.memory.perNode.MiB': Math.round(((before - after) / NODES / 1024) * 10) / 10,
    };
  } finally {
    await labDown(target);
    await rm(stateDir, { recursive: true, force: true });
  }
}
