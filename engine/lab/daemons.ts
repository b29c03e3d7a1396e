/**
 * Starts and stops a node's daemons (sshd, and unless the lab is light dockerd with its own containerd) inside the node's namespaces and
 * cgroup. Stopping is a power cut: graceful lets dockerd shut down first, hard freezes the node's cgroup and
 * kills everything in it at once. Either way nothing of the node survives and its mounts and shim sockets go.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import { createCgroup, killCgroup } from './cgroup.js';
import { pingDocker } from './docker-api.js';
import { StopPolling, labEnv, pollUntil } from './exec.js';
import { unmountUnder } from './mounts.js';
import { enterNode } from './network.js';
import { dockerSocket, sshdConfigFile } from './node-files.js';
import { nodeDaemonJson, withNodeRoot, writeNodeRoot } from './node-root.js';
import { hasExited, isOurs, signalOurs, waitGone } from './procs.js';
import { forgetProcesses, recordProcess, type LabNodeRecord, type LabProcess, type LabState } from './state.js';
import { tlsListenerArgs } from './tls-listener.js';

/** Starts `argv` as the node: in its cgroup (joined before exec), namespaces, detached from us, logging to `log`. */
async function spawnInNode(node: LabNodeRecord, argv: readonly string[], log: string, env: NodeJS.ProcessEnv): Promise<number> {
  const procs = await createCgroup(node.cgroup);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(
      '/bin/sh',
      ['-c', 'echo $$ > "$0" || exit 97; exec "$@"', procs, ...enterNode(node), ...argv],
      { detached: true, stdio: ['ignore', fd, fd], env, cwd: node.dir },
    );
    const pid = child.pid;
    child.unref();
    if (pid === undefined) throw new RunbookError('COMMAND_FAILED', `cannot start ${argv[0] ?? ''} on ${node.name}`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

async function logTail(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-20);
  } catch {
    return [];
  }
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1_000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export interface DockerdOptions {
  /** `host:port` of the lab registry every node trusts over plain HTTP (in its daemon.json). */
  readonly insecureRegistry?: string;
}

/** The dockerd options of a lab's nodes, from its record. */
export function dockerdOptions(state: Pick<LabState, 'registry'>): DockerdOptions {
  return state.registry === undefined ? {} : { insecureRegistry: `${state.registry.address}:5000` };
}

export function dockerdArgs(node: LabNodeRecord): string[] {
  return [
    'dockerd',
    `--config-file=${nodeDaemonJson(node)}`,
    `--data-root=${join(node.dir, 'data')}`,
    `--exec-root=${join(node.dir, 'exec')}`,
    `--host=unix://${dockerSocket(node)}`,
    `--pidfile=${join(node.dir, 'docker.pid')}`,
    '--bridge=none',
    // Its own iptables, in its own namespace: needed for published ports in host mode.
    '--iptables=true',
    `--cgroup-parent=/${node.cgroup}`,
    '--exec-opt=native.cgroupdriver=cgroupfs',
    '--log-level=warn',
    ...tlsListenerArgs(node),
  ];
}

/** Starts dockerd (not on a light node) and sshd on the node and waits until they answer. */
export async function startNode(state: LabState, node: LabNodeRecord, options: DockerdOptions): Promise<void> {
  const env = nodeEnv(node);
  await writeNodeRoot(state.dir, state.name, node);
  const dockerdAnswering = state.light === true ? undefined : await startDockerd(state, node, options, env);

  const sshLog = join(node.dir, 'sshd.log');
  const sshPid = await spawnInNode(node, [...withNodeRoot(node), '/usr/sbin/sshd', '-D', '-f', sshdConfigFile(node), '-E', sshLog], sshLog, env);
  const sshd: LabProcess = { node: node.name, kind: 'sshd', pid: sshPid, match: sshdConfigFile(node) };
  await recordProcess(state.dir, sshd);
  await dockerdAnswering?.();
  await pollUntil(`sshd on ${node.name} listening`, 20_000, async () => {
    if (await tcpOpen(node.address, 22)) return true;
    if (await hasExited(sshPid, sshdConfigFile(node))) {
      throw new StopPolling(
        new RunbookError('COMMAND_FAILED', `sshd on ${node.name} exited; see ${sshLog}`, { details: await logTail(sshLog) }),
      );
    }
    return undefined;
  });
}

function nodeEnv(node: LabNodeRecord): NodeJS.ProcessEnv {
  return labEnv({ HOME: join(node.dir, 'home') });
}

/** Starts the dockerd of a node whose sshd runs (`systemctl start docker` on the node) and waits until it answers. */
export async function startNodeDockerd(state: LabState, node: LabNodeRecord, options: DockerdOptions): Promise<void> {
  await (await startDockerd(state, node, options, nodeEnv(node)))();
}

/**
 * The lab registry in the node's daemon.json, where `docker info` shows it and a runbook's merge keeps it (as a
 * flag too it would stop dockerd: a setting in both places is refused).
 */
async function trustRegistry(node: LabNodeRecord, registry: string | undefined): Promise<void> {
  const file = nodeDaemonJson(node);
  let config: Record<string, unknown> = {};
  let missing = false;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    // A daemon.json that does not parse is left for dockerd to name; a missing one is written.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return;
    missing = true;
  }
  const trusted = Array.isArray(config['insecure-registries']) ? (config['insecure-registries'] as unknown[]) : [];
  const untrusted = registry !== undefined && !trusted.includes(registry);
  if (untrusted) config['insecure-registries'] = [...trusted, registry];
  if (missing || untrusted) await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
}

/** Spawns dockerd; the returned function waits until its API answers. */
async function startDockerd(
  state: LabState,
  node: LabNodeRecord,
  options: DockerdOptions,
  env: NodeJS.ProcessEnv,
): Promise<() => Promise<void>> {
  const dockerLog = join(node.dir, 'dockerd.log');
  await trustRegistry(node, options.insecureRegistry);
  // Pid files left by a power cut mislead the next boot: dockerd refuses to start when its pid is in use again,
  // and it waits on a "running" containerd that is only a zombie not yet reaped, instead of starting one.
  await rm(join(node.dir, 'docker.pid'), { force: true });
  await rm(join(node.dir, 'exec', 'containerd', 'containerd.pid'), { force: true });
  const dockerPid = await spawnInNode(node, dockerdArgs(node), dockerLog, env);
  const dockerd: LabProcess = { node: node.name, kind: 'dockerd', pid: dockerPid, match: join(node.dir, 'data') };
  await recordProcess(state.dir, dockerd);
  return async () => {
    await pollUntil(`dockerd on ${node.name} answering`, 90_000, async () => {
      if (await pingDocker(dockerSocket(node))) return true;
      if (await hasExited(dockerPid, dockerd.match)) {
        throw new StopPolling(
          new RunbookError('COMMAND_FAILED', `dockerd on ${node.name} exited; see ${dockerLog}`, { details: await logTail(dockerLog) }),
        );
      }
      return undefined;
    });
  };
}

/** True when the node's recorded daemons run. */
export async function daemonsRunning(state: LabState, node: string): Promise<{ dockerd: boolean; sshd: boolean }> {
  const find = (kind: LabProcess['kind']): LabProcess | undefined =>
    state.processes.find((p) => p.node === node && p.kind === kind);
  const check = async (p: LabProcess | undefined): Promise<boolean> => p !== undefined && (await isOurs(p.pid, p.match));
  return { dockerd: await check(find('dockerd')), sshd: await check(find('sshd')) };
}

/** Unix sockets under /run/containerd/s/ that the node's processes hold (their shims' addresses). */
async function shimSockets(pids: readonly number[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pid of pids.slice(0, 1)) {
    try {
      for (const line of (await readFile(`/proc/${pid}/net/unix`, 'utf8')).split('\n')) {
        const path = line.trim().split(/\s+/)[7];
        if (path?.startsWith('/run/containerd/s/') === true) found.add(path);
      }
    } catch {
      // the process is gone; nothing to learn from it
    }
  }
  return [...found];
}

export type PowerOff = 'graceful' | 'hard';

/**
 * Cuts the node's power. Graceful: SIGTERM dockerd and wait for it (it stops its containers), then sshd.
 * Then, in both modes, everything still in the node's cgroup is frozen and killed, leftover mounts under the
 * node's directory are unmounted and its stale shim sockets removed, so a later power-on starts clean.
 */
export async function stopNode(state: LabState, node: LabNodeRecord, mode: PowerOff): Promise<string[]> {
  const stopped: string[] = [];
  const mine = state.processes.filter((p) => p.node === node.name);
  if (mode === 'graceful') {
    for (const kind of ['dockerd', 'sshd'] as const) {
      for (const p of mine.filter((q) => q.kind === kind)) {
        if (await signalOurs(p.pid, p.match, 'SIGTERM')) {
          await waitGone(p.pid, p.match, kind === 'dockerd' ? 60_000 : 5_000);
          stopped.push(`process ${p.pid} (${p.kind} ${node.name})`);
        }
      }
    }
  }
  let sockets: string[] = [];
  const killed = await killCgroup(node.cgroup, async (pids) => {
    sockets = await shimSockets(pids);
  });
  for (const pid of killed) {
    const p = mine.find((q) => q.pid === pid);
    stopped.push(p === undefined ? `process ${pid} (${node.name})` : `process ${pid} (${p.kind} ${node.name})`);
  }
  // A daemon outside the cgroup (the cgroup write failed) is still ours by pid and command line.
  for (const p of mine) {
    if (await signalOurs(p.pid, p.match, 'SIGKILL')) {
      await waitGone(p.pid, p.match, 5_000);
      stopped.push(`process ${p.pid} (${p.kind} ${node.name})`);
    }
  }
  for (const m of await unmountUnder(node.dir)) stopped.push(`mount ${m}`);
  for (const s of sockets) {
    await rm(s, { force: true });
    stopped.push(`socket ${s}`);
  }
  await forgetProcesses(state.dir, node.name);
  return [...new Set(stopped)];
}
