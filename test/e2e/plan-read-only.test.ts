/**
 * The dry-run cannot write: `runbook plan` of a runbook holding every mutating action of the catalogue,
 * against a live lab with a service and a stack, leaves every node's swarm view, node inspect, service
 * list and /info as they were, starts and stops nothing, and writes no file any step would write.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionNames, getAction } from '../../engine/actions/index.js';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { LabApi } from '../integration/docker/lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;
/** Where the steps would leave their marks, if anything ran. */
let marks: string;

function docker(node: string, args: readonly string[]): string {
  const n = handle.lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new Error(`no node ${node}`);
  return execFileSync('docker', ['-H', `unix://${n.dockerSocket}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function dockerdPid(node: string): string {
  const n = handle.lab.nodes.find((x) => x.name === node);
  return readFileSync(join(dirname(n?.dockerSocket ?? ''), 'docker.pid'), 'utf8').trim();
}

async function snapshot(): Promise<unknown> {
  const pids = Object.fromEntries(handle.lab.nodes.map((n) => [n.name, dockerdPid(n.name)]));
  return { ...(await api.snapshot()), pids };
}

async function converged(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const replicas = docker('node1', ['service', 'ls', '--format', '{{.Replicas}}']).trim().split('\n');
    if (replicas.length === 2 && replicas.every((r) => /^(\d+)\/\1$/.test(r))) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the services did not converge');
}

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  marks = mkdtempSync(join(tmpdir(), 'rb-marks-'));
  writeFileSync(join(dir, 'app.yml'), 'version: "3.8"\nservices:\n  web:\n    image: lab/busybox:1\n    command: sleep 3600\n');
  writeFileSync(join(dir, 'mark.sh'), '#!/bin/sh\ntouch "$1"\n');
  docker('node1', ['service', 'create', '--detach', '--name', 'web', '--stop-grace-period', '1s', 'lab/busybox:1', 'sleep', '3600']);
  docker('node1', ['stack', 'deploy', '--compose-file', join(dir, 'app.yml'), 'app']);
  await converged();
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

const EVERY_ACTION = (m: string) => `
name: every-mutating-action
steps:
  - id: shell
    action: shell
    with: { command: "touch ${m}/shell" }
  - id: ssh-run
    action: ssh.run
    on: node2
    with: { command: "touch ${m}/ssh-run" }
  - id: ssh-script
    action: ssh.script
    on: node2
    with: { script: mark.sh, args: ["${m}/ssh-script"] }
  - id: ssh-file
    action: ssh.file
    on: node2
    with: { path: "${m}/ssh-file.json", json: { a: 1 }, merge: true }
  - id: ssh-fetch
    action: ssh.fetch
    on: node2
    with: { path: /etc/hostname, to: "${m}/fetched" }
  - id: token
    action: docker.swarm.join-token
    with: { role: worker }
  - id: init
    action: docker.swarm.init
    on: node2
    with: { force_new_cluster: true }
  - id: join
    needs: [token]
    action: docker.swarm.join
    on: node3
    with: { token: "\${{ steps.token.outputs.token }}" }
  - id: leave
    action: docker.swarm.leave
    on: node3
  - id: update
    action: docker.node.update
    with: { node: node3, labels: { function: production }, availability: drain }
  - id: promote
    action: docker.node.promote
    with: { node: node2 }
  - id: demote
    action: docker.node.demote
    with: { node: node1 }
  - id: rm
    action: docker.node.rm
    with: { node: node3, force: true }
  - id: service-create
    action: docker.service.create
    with: { spec: { Name: other, TaskTemplate: { ContainerSpec: { Image: "lab/busybox:1", Command: [sleep, "60"] } } } }
  - id: service-update
    action: docker.service.update
    with: { service: web, replicas: 3 }
  - id: service-rm
    action: docker.service.rm
    with: { service: web }
  - id: stack-deploy
    action: docker.stack.deploy
    with: { stack: app2, compose: app.yml }
  - id: stack-rm
    action: docker.stack.rm
    with: { stack: app }
  - id: restart
    action: docker.daemon.restart
    on: node2
    with: { command: "touch ${m}/restart" }
  - id: power-off
    action: power.off
    on: node3
  - id: power-on
    action: power.on
    on: node3
  - id: manual
    action: manual
    with: { instructions: "Unplug node3 and touch ${m}/manual" }
  - id: child
    action: runbook
    with: { name: label-node, inputs: { node: node2, labels: { zone: a } } }
`;

describe('plan of every mutating action on a live lab', () => {
  it('covers every mutating action of the catalogue', () => {
    const used = new Set([...EVERY_ACTION('').matchAll(/action: (\S+)/g)].map((m) => m[1]));
    const mutating = actionNames().filter((n) => getAction(n)?.mutating === true);
    expect(mutating.filter((n) => !used.has(n))).toEqual([]);
  });

  it('shows each call and changes nothing anywhere', async () => {
    const before = await snapshot();
    const file = join(dir, 'every.yaml');
    writeFileSync(file, EVERY_ACTION(marks));
    const state = join(dir, 'state');
    const r = await runCli(['plan', file, '-i', handle.lab.inventory, '--state-dir', state], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('cannot plan');
    for (const call of ['POST /services/create', 'POST /swarm/init', 'POST /swarm/join', 'POST /swarm/leave', 'DELETE /nodes/']) {
      expect(r.stdout, call).toContain(call);
    }
    expect(r.stdout).toContain('POST /services/<id>/update?version=<Version.Index>');
    expect(r.stdout).toContain('DELETE /services/web');
    expect(r.stdout).toContain('docker stack deploy --compose-file');
    expect(r.stdout).toContain(`touch ${marks}/ssh-run`);
    expect(r.stdout).toContain('child/label');
    // Give anything that might have been started a moment to show.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await snapshot()).toEqual(before);
    expect(readdirSync(marks)).toEqual([]);
    expect(existsSync(join(state, 'runs'))).toBe(false);
    expect(docker('node1', ['stack', 'ls', '--format', '{{.Name}}']).trim().split('\n')).toEqual(['app']);
  }, 120_000);
});
