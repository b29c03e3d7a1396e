/**
 * How the CLI finds its way to a node when the inventory only names it: `~/.ssh/config` (User, Port,
 * IdentityFile, ProxyJump through an alias), ssh-agent, and a step timeout that stops a remote command.
 * Each spawned CLI gets a HOME of its own, so the operator's real ~/.ssh never takes part.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';
import type { Inventory } from '../../../engine/inventory/types.js';
import { netnsName } from '../../../engine/lab/names.js';
import { readState } from '../../../engine/lab/state.js';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';

/** node1 also answers on this port (a REDIRECT inside its namespace), so `Port` in the config is observable. */
const ALT_PORT = 2222;

let handle: LabHandle;
let key: string;
let labKnownHosts: string;
let addr1: string;
let addr2: string;
let sshdLog2: string;
let agent: { pid: number; sock: string } | undefined;

function inNode(node: string, args: readonly string[]): string {
  return execFileSync('ip', ['netns', 'exec', netnsName(handle.lab.name, node), ...args], { encoding: 'utf8' });
}

/** Connections node1's REDIRECT rule has seen (the nat table counts the first packet of each). */
function altPortConnections(): number {
  const out = inNode('node1', ['iptables', '-w', '-t', 'nat', '-L', 'PREROUTING', '-v', '-x', '-n']);
  const line = out.split('\n').find((l) => l.includes(`dpt:${ALT_PORT}`));
  if (line === undefined) throw new Error(`no REDIRECT rule for ${ALT_PORT} in node1:\n${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/** A HOME with `.ssh/config` (when given) and `.ssh/known_hosts`: the lab's entries plus node1 on ALT_PORT. */
function home(config?: string): string {
  const dir = workspace();
  mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
  const lines = readFileSync(labKnownHosts, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const alt = lines
    .filter((l) => l.split(' ')[0]?.split(',').includes('node1'))
    .map((l) => {
      const [names, ...rest] = l.split(' ');
      return `${(names as string).split(',').map((n) => `[${n}]:${ALT_PORT}`).join(',')} ${rest.join(' ')}`;
    });
  expect(alt).toHaveLength(1);
  writeFileSync(join(dir, '.ssh', 'known_hosts'), [...lines, ...alt, ''].join('\n'));
  if (config !== undefined) writeFileSync(join(dir, '.ssh', 'config'), config);
  return dir;
}

/** A workspace with an inventory that gives only names, addresses and roles, and a one-step runbook. */
function project(step: string): string {
  return workspace({
    'inventory.yaml': `
cluster: cfg
nodes:
  - { name: node1, address: "${addr1}", role: manager }
  - { name: node2, address: "${addr2}", role: worker }
`,
    'rb.yaml': `
name: cfg
steps:
${step}`,
  });
}

function hostnameStep(on: string): string {
  return `  - id: name
    action: ssh.run
    on: ${on}
    with: { command: "hostname" }
`;
}

function events(r: CliResult): Array<Record<string, unknown>> {
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs the CLI with `--json` under the given HOME; SSH_AUTH_SOCK is the given agent or none at all. */
function run(dir: string, homeDir: string, authSock = ''): Promise<CliResult> {
  return runCli(['run', 'rb.yaml', '-i', 'inventory.yaml', '--state-dir', 's', '--json'], {
    cwd: dir,
    env: { HOME: homeDir, SSH_AUTH_SOCK: authSock },
  });
}

beforeAll(async () => {
  handle = await withLab({ nodes: 2, managers: 1, swarm: false });
  const loaded = loadInventory(handle.lab.inventory);
  const inventory = loaded.value as Inventory;
  const node1 = inventory.nodes.find((n) => n.name === 'node1');
  const node2 = inventory.nodes.find((n) => n.name === 'node2');
  key = node1?.ssh.identity as string;
  labKnownHosts = node1?.ssh.knownHosts as string;
  addr1 = node1?.address as string;
  addr2 = node2?.address as string;
  const state = await readState(handle.lab.dir);
  sshdLog2 = join(state?.nodes.find((n) => n.name === 'node2')?.dir as string, 'sshd.log');
  const gateway = handle.lab.subnet.replace(/\.0\/24$/, '.1');
  // Both rules live in the nodes' own namespaces, so they go with the lab.
  inNode('node1', ['iptables', '-w', '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '-d', addr1, '--dport', String(ALT_PORT), '-j', 'REDIRECT', '--to-ports', '22']);
  inNode('node2', ['iptables', '-w', '-I', 'INPUT', '-p', 'tcp', '-s', gateway, '--dport', '22', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
  const agentDir = workspace();
  const sock = join(agentDir, 'agent.sock');
  const started = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(started)?.[1]);
  expect(pid).toBeGreaterThan(0);
  agent = { pid, sock };
  execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
}, 180_000);

afterAll(async () => {
  if (agent !== undefined) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8');
    } catch {
      // already gone
    }
    if (cmdline.includes('ssh-agent')) process.kill(agent.pid, 'SIGTERM');
  }
  await handle?.down();
}, 120_000);

describe('~/.ssh/config', () => {
  it('supplies User, Port and IdentityFile for a node the inventory only names', async () => {
    const config = `Host node1\n  HostName ${addr1}\n  User root\n  Port ${ALT_PORT}\n  IdentityFile ${key}\n`;
    const before = altPortConnections();
    const r = await run(project(hostnameStep('node1')), home(config));
    expect(r.code, r.stderr).toBe(0);
    expect(events(r).find((e) => e.type === 'step.succeeded')?.outputs).toMatchObject({ stdout: 'node1' });
    expect(altPortConnections()).toBeGreaterThan(before);

    // The config's User is the one presented: an unknown one is refused, and the error says who tried.
    const wrongUser = await run(project(hostnameStep('node1')), home(config.replace('User root', 'User rb-nosuch')));
    expect(wrongUser.code).toBe(1);
    const failed = events(wrongUser).find((e) => e.type === 'step.failed');
    expect(failed?.error).toMatch(new RegExp(`node1 \\(rb-nosuch@${addr1.replace(/\./g, '\\.')}:${ALT_PORT}\\).*authentication refused`));
  });

  it('reaches a node through its ProxyJump alias when the node cannot be reached directly', async () => {
    const node1 = `Host node1\n  HostName ${addr1}\n  Port ${ALT_PORT}\n  IdentityFile ${key}\n`;
    const node2 = `Host node2\n  IdentityFile ${key}\n`;
    // Without the jump, node2's port 22 refuses the host: the jump below is the only way in.
    const direct = await run(project(hostnameStep('node2')), home(node1 + node2));
    expect(direct.code).toBe(1);
    expect(events(direct).find((e) => e.type === 'step.failed')?.error).toMatch(/node2 .*unreachable/);

    const before = altPortConnections();
    const logBefore = readFileSync(sshdLog2, 'utf8').length;
    const r = await run(project(hostnameStep('node2')), home(`${node1}${node2}  ProxyJump node1\n`));
    expect(r.code, r.stderr).toBe(0);
    expect(events(r).find((e) => e.type === 'step.succeeded')?.outputs).toMatchObject({ stdout: 'node2' });
    // The jump was node1 as its config entry describes it (HostName, Port), and node2 saw node1 log in.
    expect(altPortConnections()).toBeGreaterThan(before);
    expect(readFileSync(sshdLog2, 'utf8').slice(logBefore)).toContain(`Accepted publickey for root from ${addr1} `);
  });
});

describe('ssh-agent', () => {
  it('logs in with the agent key when neither inventory nor config names one, and says whom it could not log in to without it', async () => {
    const dir = project(hostnameStep('node1'));
    const withAgent = await run(dir, home(), agent?.sock);
    expect(withAgent.code, withAgent.stderr).toBe(0);
    expect(events(withAgent).find((e) => e.type === 'step.succeeded')?.outputs).toMatchObject({ stdout: 'node1' });

    const without = await runCli(['run', 'rb.yaml', '-i', 'inventory.yaml', '--state-dir', 's2', '--json'], {
      cwd: dir,
      env: { HOME: home(), SSH_AUTH_SOCK: '' },
    });
    expect(without.code).toBe(1);
    const failed = events(without).find((e) => e.type === 'step.failed');
    expect(failed?.code).toBe('AUTH');
    expect(failed?.error).toMatch(new RegExp(`^node1 \\(root@${addr1.replace(/\./g, '\\.')}:22\\): authentication refused`));
  });
});

describe('step timeout', () => {
  it('fails a remote command that outlives timeout: within seconds, naming the node, and ends it on the node', async () => {
    // A duration no other process uses: lab nodes share the host's process table, so pgrep sees it.
    const dir = project(`  - id: slow
    action: ssh.run
    on: node1
    timeout: 2s
    with: { command: "sleep 37; echo slept" }
`);
    const started = Date.now();
    const r = await runCli(['run', 'rb.yaml', '-i', 'inventory.yaml', '--state-dir', 's'], {
      cwd: dir,
      env: { HOME: home(), SSH_AUTH_SOCK: agent?.sock as string },
    });
    const took = Date.now() - started;
    expect(r.code).toBe(1);
    expect(took).toBeGreaterThanOrEqual(2_000);
    expect(took).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/slow failed after [\d.]+s: node1: timed out after 2s/);
    expect(r.stderr).not.toContain('runbook-process-group');
    let left = true;
    for (let i = 0; i < 20 && left; i++) {
      left = spawnSync('pgrep', ['-f', '^sleep 37$']).status === 0;
      if (left) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(left, 'the remote sleep still runs after the step timed out').toBe(false);
  }, 60_000);
});
