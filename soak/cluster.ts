/**
 * The soak's lab: 5 nodes (3 managers), the registry, a stack pulling from it and a service outside any
 * stack. What the lab says about itself: which nodes run, how often each was really switched (power.log),
 * whether the swarm converged; and a node's network cut and restored with iptables in its namespace.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { labDown, labUp, type LabDescription } from '../engine/lab/commands.js';
import { netnsName } from '../engine/lab/names.js';
import { netnsPath } from '../engine/lab/network.js';
import { POWER_LOG, type PowerSwitchRecord } from '../engine/lab/power.js';

const exec = promisify(execFile);

/** Raft entries between the swarm's snapshots (Docker's default is 10,000). */
const RAFT_SNAPSHOT_INTERVAL = 500;

export interface SoakCluster {
  readonly lab: LabDescription;
  /** The runs' state directory. */
  readonly state: string;
}

function socketOf(lab: LabDescription, node: string): string {
  const n = lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new Error(`soak: no node ${node}`);
  return `unix://${n.dockerSocket}`;
}

async function docker(lab: LabDescription, node: string, args: readonly string[]): Promise<string> {
  return (await exec('docker', ['-H', socketOf(lab, node), ...args], { maxBuffer: 16 << 20, timeout: 60_000 })).stdout;
}

/** Polls every 500 ms until `done` or the deadline; false when the deadline passed. */
async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await done()) return true;
    } catch {
      // not yet: a daemon is coming up or going down
    }
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

export async function clusterUp(name: string, dir: string): Promise<SoakCluster> {
  const lab = await labUp({ name, stateDir: dir, nodes: 5, managers: 3, swarm: true, registry: true });
  // A new swarm snapshots its Raft log every 10,000 entries; until then a manager promoted again (every
  // reboot-from-shutdown promotes two) is sent the whole log, about 2 s more with each cycle here, past the
  // promotion's 2 minutes by cycle 60. A long-lived cluster's log since its last snapshot stays bounded;
  // snapshotting this one often keeps the soak's cycles alike.
  await docker(lab, 'node1', ['swarm', 'update', '--snapshot-interval', String(RAFT_SNAPSHOT_INTERVAL)]);
  const image = `${lab.registry ?? ''}/lab/busybox:1`;
  const compose = join(dir, 'app.yml');
  writeFileSync(compose, stringify({ version: '3.8', services: { web: { image, command: ['sleep', '3600'], stop_grace_period: '1s', deploy: { replicas: 2 } } } }));
  const inventory = parse(readFileSync(lab.inventory, 'utf8')) as { stacks: { name: string; compose: string }[] };
  inventory.stacks.push({ name: 'app', compose });
  writeFileSync(lab.inventory, stringify(inventory, { lineWidth: 0 }));
  await docker(lab, 'node1', ['stack', 'deploy', '--compose-file', compose, 'app']);
  // Outside any stack, so that remove-services and restore-services have work to be killed in.
  await docker(lab, 'node1', ['service', 'create', '--detach', '--name', 'loose', '--stop-grace-period', '1s', image, 'sleep', '3600']);
  const cluster = { lab, state: join(dir, 'state') };
  if ((await converged(cluster)) !== undefined) throw new Error('soak: the new lab did not converge');
  return cluster;
}

export function clusterDown(name: string, dir: string): Promise<unknown> {
  return labDown({ name, stateDir: dir });
}

/** The lab's real power switches, in order. */
export function switches(c: SoakCluster): PowerSwitchRecord[] {
  const path = join(c.lab.dir, POWER_LOG);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PowerSwitchRecord);
}

/** Waits until no `lab power` command of this lab runs: a killed runner's power commands finish on their own. */
export async function powerCommandsDone(c: SoakCluster): Promise<void> {
  const running = (): boolean =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .some((pid) => {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          return argv.includes('power') && argv.includes(c.lab.name) && argv.includes('lab');
        } catch {
          return false;
        }
      });
  await until(async () => !running(), 120_000);
}

/** The nodes whose Docker socket is still there (a powered-off lab node has none). */
export function nodesUp(c: SoakCluster): string[] {
  return c.lab.nodes.filter((n) => existsSync(n.dockerSocket)).map((n) => n.name);
}

/** Undefined when the swarm is as before the shutdown; else what is not, after waiting up to a minute. */
export async function converged(c: SoakCluster): Promise<string | undefined> {
  let why = 'not asked yet';
  const ok = await until(async () => {
    const nodes = (await docker(c.lab, 'node1', ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'])).trim().split('\n');
    const ready = nodes.filter((l) => l.split(' ')[1] === 'Ready').length;
    const managers = nodes.filter((l) => /(Leader|Reachable)$/.test(l)).map((l) => l.split(' ')[0]).sort().join(',');
    const replicas = (await docker(c.lab, 'node1', ['service', 'ls', '--format', '{{.Name}} {{.Replicas}}'])).trim().split('\n').sort();
    const names = replicas.map((l) => l.split(' ')[0]).join(',');
    const running = replicas.every((l) => /^\S+ (\d+)\/\1$/.test(l));
    why = `${ready}/5 Ready, managers ${managers}, services ${replicas.join('; ')}`;
    if (ready !== 5 || managers !== 'node1,node2,node3' || names !== 'app_web,loose,registry_registry' || !running) return false;
    return (await fetch(`http://${c.lab.registry ?? ''}/v2/`)).status === 200;
  }, 60_000);
  return ok ? undefined : why;
}

/** Drops everything in and out of `node`'s namespace but loopback, as a pulled cable would. */
export async function cutNetwork(c: SoakCluster, node: string, cut: boolean): Promise<void> {
  const ns = netnsPath(netnsName(c.lab.name, node));
  const op = cut ? '-I' : '-D';
  for (const rule of [['INPUT', '!', '-i', 'lo', '-j', 'DROP'], ['OUTPUT', '!', '-o', 'lo', '-j', 'DROP']]) {
    const [chain, ...match] = rule as [string, ...string[]];
    await exec('nsenter', [`--net=${ns}`, '--', 'iptables', '-w', '10', op, chain, ...(cut ? ['1'] : []), ...match]);
  }
}
