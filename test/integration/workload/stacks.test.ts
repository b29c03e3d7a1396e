/**
 * Stacks through the docker CLI over SSH on a manager, waiting on an expression, and the manual gate
 * refused without a terminal.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';
import type { Inventory } from '../../../engine/inventory/types.js';
import { dockerOk } from '../../../engine/lab/docker-api.js';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';

let handle: LabHandle;
let inventory: Inventory;

beforeAll(async () => {
  handle = await withLab({ nodes: 2, managers: 1, swarm: true });
  inventory = loadInventory(handle.lab.inventory).value as Inventory;
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

function managerSocket(): string {
  const docker = inventory.nodes[0]?.docker;
  if (docker?.type !== 'socket') throw new Error('the lab gives sockets');
  return docker.socket;
}

async function labelled(kind: 'services' | 'networks', stack: string): Promise<{ Spec?: { Name: string }; Name?: string }[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.stack.namespace=${stack}`] }));
  return (await dockerOk(managerSocket(), 'GET', `/${kind}?filters=${filters}`)) as { Spec?: { Name: string }; Name?: string }[];
}

function events(r: CliResult): Record<string, unknown>[] {
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function outputsOf(r: CliResult): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    events(r).filter((e) => e['type'] === 'step.succeeded').map((e) => [e['step'] as string, e['outputs'] as Record<string, unknown>]),
  );
}

const COMPOSE = `version: "3.8"
services:
  app:
    image: lab/busybox:1
    command: ["sleep", "3600"]
    deploy:
      replicas: 2
`;

describe('docker.stack.*', () => {
  it('deploys a compose file, lists the stack, waits on an expression, and removes it leaving nothing labelled', async () => {
    const dir = workspace({
      'demo.yml': COMPOSE,
      'rb.yaml': `
name: stack-cycle
inputs:
  replicas: { type: integer, default: 2 }
steps:
  - id: deploy
    action: docker.stack.deploy
    on: manager
    with: { stack: demo, compose: demo.yml, timeout: 2m }
  - id: ls
    needs: [deploy]
    action: docker.stack.ls
    on: manager
  - id: running
    needs: [deploy]
    action: wait.until
    on: manager
    with:
      probe: { action: docker.service.ls, with: { stack: demo } }
      until: "\${{ result.count == 1 && result.services.all(s, s.replicas.running == inputs.replicas) }}"
      interval: 1s
      timeout: 1m
`,
    });
    // Lab nodes share this machine's /tmp: only the directories this run makes count (a killed run elsewhere,
    // such as the fault soak's, may have left one).
    const tempDirs = (): string[] => execFileSync('ssh', sshArgs('ls -d /tmp/runbook-stack.* 2>/dev/null || true')).toString().split('\n').filter(Boolean);
    const before = new Set(tempDirs());
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const outputs = outputsOf(r);
    expect(outputs['deploy']?.['services']).toMatchObject([{ name: 'demo_app', stack: 'demo', replicas: { running: 2, desired: 2 } }]);
    expect(outputs['ls']).toMatchObject({ names: ['demo'], stacks: [{ name: 'demo', services: 1 }] });
    expect(outputs['running']?.['result']).toMatchObject({ count: 1 });
    expect((await labelled('networks', 'demo')).map((n) => n.Name)).toEqual(['demo_default']);
    // The compose file went to a private temporary directory, which is gone again.
    expect(tempDirs().filter((d) => !before.has(d))).toEqual([]);

    const again = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's2', '--json'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);

    const rm = workspace({
      'rb.yaml': `
name: stack-rm
steps:
  - id: rm
    action: docker.stack.rm
    on: manager
    with: { stack: demo, timeout: 2m }
`,
    });
    const removed = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: rm });
    expect(removed.code, removed.stderr + removed.stdout).toBe(0);
    expect(outputsOf(removed)['rm']).toMatchObject({ removed: true });
    expect(await labelled('services', 'demo')).toEqual([]);
    expect(await labelled('networks', 'demo')).toEqual([]);
    const second = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's2', '--json'], { cwd: rm });
    expect(second.code).toBe(0);
    expect(events(second).find((e) => e['type'] === 'step.skipped')?.['reason']).toBe('check');
  }, 240_000);

  it('a failing deploy fails the step with the CLI’s message', async () => {
    const dir = workspace({
      'bad.yml': 'version: "3.8"\nservices:\n  app:\n    image: lab/busybox:1\n    deploy: { replicas: many }\n',
      'rb.yaml': `
name: bad-stack
steps:
  - id: deploy
    action: docker.stack.deploy
    on: manager
    with: { stack: bad, compose: bad.yml }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const failed = events(r).find((e) => e['type'] === 'step.failed');
    expect(String(failed?.['error'])).toContain('docker stack deploy bad failed with exit code 1');
    expect(JSON.stringify(failed?.['details'])).toMatch(/replicas/);
  });
});

function sshArgs(command: string): string[] {
  const node = inventory.nodes[0];
  if (node === undefined) throw new Error('no node');
  return [
    '-i', node.ssh.identity ?? '',
    '-o', `UserKnownHostsFile=${node.ssh.knownHosts ?? ''}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    `root@${node.address}`,
    command,
  ];
}

describe('manual', () => {
  it('without a terminal is refused with exit 3, naming what a person must do', async () => {
    const dir = workspace({
      'rb.yaml': `
name: by-hand
steps:
  - id: cable
    action: manual
    with: { instructions: "Plug node2 into switch port 7" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's', '--yes'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Plug node2 into switch port 7');
  });
});
