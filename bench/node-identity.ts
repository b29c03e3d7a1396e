/**
 * What node identity adds to a run, on a lab's nodes: the first look at every node at once (one `uname -n`
 * on open SSH connections never asked before, one `GET /info` per Engine API), beside the fan-out of
 * `ssh.run hostname` it precedes; the look of a next run on the same connections (the pool kept the answer);
 * and the cost of each later instance on a node already looked at.
 */
import { getAction } from '../engine/actions/index.js';
import type { Inventory, Ports } from '../engine/index.js';
import { sshTargetOf } from '../engine/io/ssh/target.js';
import { NodeIdentity } from '../engine/runner/node-identity.js';

const CACHED_CALLS = 10_000;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** `ports` are new (no connection open); `fanoutWarmMs` is the engine's warm `ssh.run` fan-out. */
export async function benchNodeIdentity(ports: Ports, inventory: Inventory, fanoutWarmMs: number): Promise<Record<string, number>> {
  const ssh = getAction('ssh.run');
  const docker = getAction('docker.node.update');
  if (ssh === undefined || docker === undefined) throw new Error('actions missing');
  const signal = new AbortController().signal;
  const targets = inventory.nodes.map((node) => ({ type: 'node' as const, node }));
  await Promise.all(targets.map((t) => ports.ssh.exec(sshTargetOf(t.node), 'true', { signal, readOnly: true })));
  const checker = new NodeIdentity(ports, signal, () => undefined);
  const sshMs = await timed(() => Promise.all(targets.map((t) => checker.verify(ssh, { command: 'hostname' }, t))));
  const nextRun = new NodeIdentity(ports, signal, () => undefined);
  const sshNextMs = await timed(() => Promise.all(targets.map((t) => nextRun.verify(ssh, { command: 'hostname' }, t))));
  const dockerMs = await timed(() => Promise.all(targets.map((t) => checker.verify(docker, { node: t.node.name }, t))));
  const first = targets[0];
  if (first === undefined) throw new Error('no nodes');
  const cachedMs = await timed(async () => {
    for (let i = 0; i < CACHED_CALLS; i++) await checker.verify(docker, { node: first.node.name }, first);
  });
  const n = inventory.nodes.length;
  return {
    [`identity.ssh${n}.first.ms`]: Math.round(sshMs),
    [`identity.docker${n}.first.ms`]: Math.round(dockerMs),
    [`identity.ssh${n}.first_vs_fanout.warm.ratio`]: Math.round((sshMs / fanoutWarmMs) * 100) / 100,
    [`identity.ssh${n}.next_run_same_connections.ms`]: Math.round(sshNextMs * 100) / 100,
    'identity.cached.per_instance.us': Math.round((cachedMs / CACHED_CALLS) * 1000 * 100) / 100,
  };
}
