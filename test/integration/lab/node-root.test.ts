/**
 * What a session on a lab node sees as the system's paths: its own /etc/docker (the daemon.json its dockerd
 * reads), /var/lib/docker, /var/backups and /run, and a systemctl that starts, stops, restarts and reloads its
 * dockerd, so that a runbook's production defaults work on a lab and change nothing of the machine under it.
 * Over real SSH to real lab nodes.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labStatus } from '../../../engine/lab/commands.js';
import { labLeftovers, withLab, type LabHandle } from '../../helpers/lab.js';

const run = promisify(execFile);
let handle: LabHandle;
/** The machine's own directories behind the paths a node sees as its own, as they were before. */
const machine: Record<string, string[]> = {};
// Not /run: labs of other tests running meanwhile add and remove entries there.
const MACHINE_PATHS = ['/etc/docker', '/var/backups'];

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

async function onNode2(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const node = handle.lab.nodes[1]!;
  try {
    const { stdout, stderr } = await run(
      'ssh',
      ['-i', join(handle.lab.dir, 'id_ed25519'), '-o', `UserKnownHostsFile=${join(handle.lab.dir, 'known_hosts')}`, '-o', 'BatchMode=yes', `root@${node.address}`, command],
      { timeout: 120_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const nodeDir = () => join(handle.lab.dir, 'node2');
const pid = () => readFileSync(join(nodeDir(), 'docker.pid'), 'utf8').trim();
const dockerdState = async () => (await labStatus({ name: handle.lab.name, stateDir: handle.stateDir })).nodes.find((n) => n.name === 'node2')?.dockerd;

beforeAll(async () => {
  for (const p of MACHINE_PATHS) machine[p] = listing(p);
  handle = await withLab({ nodes: 2, managers: 1, swarm: true });
}, 180_000);

afterAll(async () => {
  await handle?.down();
  if (handle !== undefined) expect(labLeftovers(handle.lab)).toEqual([]);
}, 120_000);

describe("a lab node's system paths", () => {
  it("are the node's: what a session writes there lands in the node's directory, not the machine's", async () => {
    const r = await onNode2(
      'cat /etc/docker/daemon.json && echo probe > /etc/docker/probe && mkdir -p /var/backups/docker-swarm && echo a > /var/backups/docker-swarm/a ' +
        '&& ls /var/lib/docker/swarm && readlink /run/docker.pid /run/docker.sock && test ! -e /run/runbook-lab-probe && echo x > /run/runbook-lab-probe',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.slice(0, r.stdout.indexOf('}') + 1))).toEqual({});
    expect(r.stdout).toContain('state.json');
    expect(r.stdout).toContain(`${join(nodeDir(), 'docker.pid')}\n${join(nodeDir(), 'docker.sock')}`);
    expect(readFileSync(join(nodeDir(), 'etc-docker', 'probe'), 'utf8')).toBe('probe\n');
    expect(readFileSync(join(nodeDir(), 'var-backups', 'docker-swarm', 'a'), 'utf8')).toBe('a\n');
    for (const p of MACHINE_PATHS) expect(listing(p), p).toEqual(machine[p]);
    expect(existsSync('/run/runbook-lab-probe')).toBe(false);
  }, 60_000);

  it('systemctl reload makes dockerd read the daemon.json again, in the same process', async () => {
    const before = pid();
    writeFileSync(join(nodeDir(), 'etc-docker', 'daemon.json'), '{ "debug": true }\n');
    const r = await onNode2('systemctl reload docker && sleep 1 && docker info --format "{{.Debug}}"');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('true');
    expect(pid()).toBe(before);
  }, 60_000);

  it('systemctl stop, start and restart the node\'s dockerd, and the lab knows', async () => {
    const stopped = await onNode2('systemctl stop docker.socket docker.service && systemctl is-active docker');
    expect(stopped.code).toBe(3);
    expect(stopped.stdout.trim()).toBe('inactive');
    expect(await dockerdState()).toBe(false);
    const started = await onNode2('systemctl start docker && systemctl is-active docker && docker info --format "{{.Swarm.LocalNodeState}}"');
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout.split('\n').slice(0, 2)).toEqual(['active', 'active']);
    expect(await dockerdState()).toBe(true);
    const before = pid();
    const restarted = await onNode2('systemctl restart docker && docker info --format "{{.Swarm.LocalNodeState}}"');
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout.trim()).toBe('active');
    expect(pid()).not.toBe(before);
  }, 120_000);

  it('systemctl refuses anything but docker, saying what it knows', async () => {
    const r = await onNode2('systemctl stop firewalld');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('systemctl on lab node node2 knows: start, stop, restart, reload, is-active of docker');
    // Where the machine has a systemctl, a call by its full path (as sudo's PATH finds it) is the node's too.
    if (existsSync('/usr/bin/systemctl')) {
      const absolute = await onNode2('/usr/bin/systemctl poweroff');
      expect(absolute.code).toBe(1);
      expect(absolute.stderr).toContain('systemctl on lab node node2 knows');
    }
  }, 60_000);
});
