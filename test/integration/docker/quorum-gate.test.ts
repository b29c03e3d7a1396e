/**
 * The quorum gate on a live swarm of 3 managers and a worker: instances of one step, parallel
 * branches, stops one after the other while the swarm still reports the first node reachable, a
 * runner killed between two stops, and a second operator. The worked example of docs/actions.md:
 * M=3, Q(3)=2 — one stop keeps the quorum, two in flight lose it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { netnsName } from '../../../engine/lab/names.js';
import { runCli, workspace } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';
import { LabApi, planText, runJson } from './lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;
/** The lab's inventory with node2 and node3 "powered" by cutting their network: a machine losing power sends no goodbye. */
let dark: string;

/**
 * Power off = every packet into the node dropped (SSH refused at once, so the step ends quickly), power on =
 * the rules removed. The managers notice only when heartbeats lapse, as with a real power cut.
 */
function darkInventory(): string {
  const script = join(dir, 'dark.sh');
  writeFileSync(script, `#!/bin/sh
set -e
ns=$2
if [ "$1" = off ]; then
  nsenter --net="$ns" iptables -w 10 -I INPUT -j DROP
  nsenter --net="$ns" iptables -w 10 -I INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
else
  nsenter --net="$ns" iptables -w 10 -D INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset || true
  nsenter --net="$ns" iptables -w 10 -D INPUT -j DROP || true
fi
`);
  const inv = parse(readFileSync(handle.lab.inventory, 'utf8')) as { nodes: { name: string; power?: unknown }[] };
  for (const n of inv.nodes) {
    const ns = `/var/run/netns/${netnsName(handle.lab.name, n.name)}`;
    if (n.name === 'node2' || n.name === 'node3') n.power = { off: `sh ${script} off ${ns}`, on: `sh ${script} on ${ns}` };
  }
  const file = join(dir, 'dark-inventory.yaml');
  writeFileSync(file, stringify(inv, { lineWidth: 0 }));
  return file;
}

beforeAll(async () => {
  handle = await withLab({ nodes: 4, managers: 3, swarm: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  dark = darkInventory();
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

const up = (node: string): boolean => existsSync(handle.lab.nodes.find((n) => n.name === node)?.dockerSocket ?? '');

/** Powers `nodes` on again and waits until the managers see each as a reachable manager. */
async function restore(inventory: string, ...nodes: string[]): Promise<void> {
  const r = await runJson(dir, inventory, `
name: restore
steps:
  - id: on
    action: power.on
    on: [${nodes.join(', ')}]
  - id: back
    needs: [on]
    foreach: [${nodes.join(', ')}]
    action: docker.node.wait
    on: node1
    with: { node: "\${{ item }}", until: reachable, timeout: 90s }
`);
  expect(r.code, r.stderr).toBe(0);
}

async function reachableManagers(): Promise<string[]> {
  const nodes = await api.get<{ Description?: { Hostname?: string }; ManagerStatus?: { Reachability?: string } }[]>('node1', '/nodes');
  return nodes.filter((n) => n.ManagerStatus?.Reachability === 'reachable').map((n) => n.Description?.Hostname ?? '').sort();
}

const offBoth = (extra = ''): string => `
name: off-two
steps:
  - id: off
    action: power.off
    on: [node2, node3]
${extra}`;

describe('quorum gate (M=3: node1, node2, node3 managers; node4 a worker)', () => {
  it('plan shows the verdict of the step\'s instances together: stopping node2 and node3 leaves R=1 of M=3', async () => {
    const r = await planText(dir, handle.lab.inventory, offBoth());
    expect(r.code, r.stderr).toBe(0);
    // Each alone keeps the quorum; together they do not.
    expect(r.stdout).toContain('quorum now M=3, R=3, Q(3)=2; after stopping node2 (reachable): M=3, R=2, Q(3)=2: quorum kept');
    expect(r.stdout).toContain('quorum: stopping node2 and node3 together leaves R=1 of M=3 (Q(3)=2): quorum lost while 1 other manager is up → the quorum guard would refuse this step before any instance starts');
    const allowed = await planText(dir, handle.lab.inventory, offBoth('    allow_quorum_loss: true'));
    expect(allowed.stdout).toContain('→ allowed by allow_quorum_loss: true');
  });

  it('one step on 2 of 3 managers is refused before either starts: exit 3, both still up, nothing powered', async () => {
    const r = await runJson(dir, handle.lab.inventory, offBoth());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('stopping node2 and node3 together leaves R=1 of M=3 (Q(3)=2)');
    expect(r.stderr).toContain('instances off@node2, off@node3');
    expect(r.events.filter((e) => e['type'] === 'step.started')).toEqual([]);
    expect(r.events.filter((e) => e['type'] === 'step.skipped' && e['reason'] === 'refused').map((e) => e['instance']).sort()).toEqual(['off@node2', 'off@node3']);
    expect(up('node2') && up('node3')).toBe(true);
    expect(await reachableManagers()).toEqual(['node1', 'node2', 'node3']);
  });

  it('a stop of 2 of 3 managers one at a time (concurrency: 1) is refused up front as well', async () => {
    const r = await runJson(dir, handle.lab.inventory, `
name: off-each
steps:
  - id: off
    concurrency: 1
    action: power.off
    on: [node2, node3]
`);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('stopping node2 and node3 leaves R=1 of M=3');
    expect(r.events.filter((e) => e['type'] === 'step.started')).toEqual([]);
    expect(up('node2') && up('node3')).toBe(true);
  });

  it('a foreach demote of 2 of 3 managers with concurrency: 2 is refused: both stay managers', async () => {
    const r = await runJson(dir, handle.lab.inventory, `
name: demote-two
steps:
  - id: demote
    foreach: [node2, node3]
    concurrency: 2
    action: docker.node.demote
    on: node1
    with: { node: "\${{ item }}", timeout: 30s }
`);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('demoting node2 and node3 together');
    expect(r.events.filter((e) => e['type'] === 'step.started')).toEqual([]);
    expect(await reachableManagers()).toEqual(['node1', 'node2', 'node3']);
  });

  it('a worker is stopped whatever else is pending: no manager vote at stake', async () => {
    const plan = await planText(dir, handle.lab.inventory, `
name: off-worker
steps:
  - id: off
    action: power.off
    on: [node4]
`);
    expect(plan.stdout).toContain('quorum: node4 is not a Raft member; no manager vote at stake');
  });

  it('two parallel branches each stopping a manager: one runs, the other is refused naming it', async () => {
    const r = await runJson(dir, handle.lab.inventory, `
name: branches
steps:
  - id: left
    action: power.off
    on: node2
  - id: right
    action: power.off
    on: node3
`);
    expect(r.code, r.stderr).toBe(3);
    const ran = ['node2', 'node3'].filter((n) => !up(n));
    expect(ran).toHaveLength(1);
    const refusedStep = ran[0] === 'node2' ? 'right' : 'left';
    const other = ran[0] === 'node2' ? 'left' : 'right';
    expect(r.skipped[refusedStep]).toBe('refused');
    expect(r.stderr).toContain(`counted with ${other} (stopping ${ran[0]}, in flight)`);
    expect(r.stderr).toMatch(/M=3, R=1, Q\(3\)=2: quorum lost/);
    await restore(handle.lab.inventory, ran[0] as string);
  }, 180_000);

  it('plan says when two steps may run at the same time and judges them together', async () => {
    const r = await planText(dir, handle.lab.inventory, `
name: branches
steps:
  - id: left
    action: power.off
    on: node2
  - id: right
    action: power.off
    on: node3
`);
    expect(r.stdout).toContain('may run at the same time as left (no needs between them): judged together');
    expect(r.stdout).toContain('→ the quorum guard would refuse this step before any instance starts');
  });

  it('a second stop right after the first is refused while the swarm still reports the first node reachable', async () => {
    const r = await runJson(dir, dark, `
name: one-then-other
steps:
  - id: first
    action: power.off
    on: node2
  - id: second
    needs: [first]
    action: power.off
    on: node3
`);
    expect(r.code, r.stderr).toBe(3);
    expect(r.outputs['first']).toMatchObject({ power: 'off' });
    expect(r.skipped['second']).toBe('refused');
    // The gate counted node2 although GET /nodes still said reachable (heartbeats take 10–15 s to lapse).
    expect(r.stderr).toContain('counted with first (stopping node2, done; the swarm does not show it yet)');
    expect(up('node3')).toBe(true);
    await restore(dark, 'node2');
  }, 180_000);

  it('a runner killed after the first stop: the resume still counts it and refuses the second', async () => {
    const file = join(dir, 'killed.yaml');
    writeFileSync(file, `
name: killed
steps:
  - id: first
    action: power.off
    on: node2
  - id: pause
    needs: [first]
    action: shell
    check:
      action: shell
      with: { command: "test -e ${join(dir, 'paused')}", ok_codes: [0, 1] }
      satisfied: "\${{ result.exit_code == 0 }}"
    with: { command: "touch ${join(dir, 'paused')}; sleep 8" }
  - id: second
    needs: [pause]
    action: power.off
    on: node3
`);
    const state = join(dir, 'killed-state');
    const killed = await runCli(['run', file, '-i', dark, '--state-dir', state, '--yes'], {
      cwd: dir,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (existsSync(join(dir, 'paused'))) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 50);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const r = await runCli(['resume', '--state-dir', state, '--yes'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    // The new process knows of node2's stop only from the journal: GET /nodes still says reachable.
    expect(r.stderr).toContain('quorum guard: after stopping node3 (reachable), counted with first (stopping node2, done; the swarm does not show it yet): M=3, R=1, Q(3)=2: quorum lost');
    expect(up('node3')).toBe(true);
    await restore(dark, 'node2');
  }, 240_000);

  it('a second operator cannot change the cluster while a run holds it; a read-only look still runs', async () => {
    const state = join(dir, 'shared-state');
    const marker = join(dir, 'holding');
    const first = runJson(dir, handle.lab.inventory, `
name: holds
steps:
  - id: hold
    action: shell
    with: { command: "touch ${marker}; sleep 6" }
`, ['--state-dir', state]);
    writeFileSync(join(dir, 'off-node3.yaml'), 'name: off-node3\nsteps:\n  - id: off\n    action: power.off\n    on: node3\n');
    for (let i = 0; i < 200 && !existsSync(marker); i += 1) await sleep(50);
    const again = await runCli(['run', join(dir, 'off-node3.yaml'), '-i', handle.lab.inventory, '--state-dir', state, '--yes'], { cwd: dir });
    expect(again.code, again.stderr).toBe(3);
    expect(again.stderr).toContain(`cluster "${handle.lab.name}" is busy: runbook "holds" holds its lock`);
    expect(up('node3')).toBe(true);
    const status = await runCli(['run', 'cluster-status', '-i', handle.lab.inventory, '--state-dir', state], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect((await first).code).toBe(0);
  }, 120_000);
});
