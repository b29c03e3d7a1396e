/**
 * `labDown` after a `labUp` that died halfway: at its first step, and with daemons already running.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDown, labUp } from '../../../engine/lab/commands.js';
import { labLeftovers, uniqueLabName } from '../../helpers/lab.js';

const stateDir = mkdtempSync(join(tmpdir(), 'rbl-'));

class Crash extends Error {}

async function crashAt(name: string, line: RegExp): Promise<{ bridge: string }> {
  let bridge = '';
  await expect(
    labUp({
      name,
      stateDir,
      nodes: 2,
      managers: 1,
      swarm: true,
      registry: true,
      log: (l) => {
        bridge = /bridge (\S+)\)/.exec(l)?.[1] ?? bridge;
        if (line.test(l)) throw new Crash(`crash at: ${l}`);
      },
    }),
  ).rejects.toThrow(/crash at/);
  return { bridge };
}

describe('labDown after a crashed labUp', () => {
  const names: string[] = [];
  afterAll(async () => {
    for (const name of names) await labDown({ name, stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('cleans up a lab that crashed right after claiming its subnet', async () => {
    const name = uniqueLabName();
    names.push(name);
    const { bridge } = await crashAt(name, /^lab /);
    const dir = join(stateDir, 'labs', name);
    const { removed } = await labDown({ name, stateDir });
    expect(removed).toContain(`dir ${dir}`);
    expect(labLeftovers({ name, dir, bridge })).toEqual([]);
  }, 60_000);

  it('cleans up a lab that crashed with its daemons running and a swarm formed', async () => {
    const name = uniqueLabName();
    names.push(name);
    const { bridge } = await crashAt(name, /^swarm has/);
    const dir = join(stateDir, 'labs', name);
    expect(labLeftovers({ name, dir, bridge }).some((l) => l.startsWith('process '))).toBe(true);
    const { removed } = await labDown({ name, stateDir });
    expect(removed.some((r) => /dockerd/.test(r))).toBe(true);
    expect(labLeftovers({ name, dir, bridge })).toEqual([]);
  }, 120_000);
});
