/**
 * The SSH layer and actions against real sshd nodes of a lab: one connection per host, host keys
 * checked, errors naming host and cause, scripts and files written the way the actions promise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../engine/inventory/load.js';
import { sshTargetOf } from '../../../engine/io/ssh/target.js';
import type { Inventory } from '../../../engine/inventory/types.js';
import { SshPool } from '../../../engine/io/ssh/pool.js';
import { labPower } from '../../../engine/lab/commands.js';
import { killWhen, runCli, workspace } from '../../helpers/cli.js';
import { withLab, type LabHandle } from '../../helpers/lab.js';

let handle: LabHandle;
let inventory: Inventory;
const signal = new AbortController().signal;

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: false });
  const loaded = loadInventory(handle.lab.inventory);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  inventory = loaded.value as Inventory;
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

function node(name: string) {
  const n = inventory.nodes.find((x) => x.name === name);
  if (n === undefined) throw new Error(`no node ${name}`);
  return n;
}

describe('SSH pool', () => {
  it('reuses one connection per host across many commands', async () => {
    const pool = new SshPool();
    try {
      const target = sshTargetOf(node('node2'));
      const results = await Promise.all(Array.from({ length: 20 }, () => pool.exec(target, 'hostname', { signal })));
      expect(results.map((r) => r.stdout.trim())).toEqual(Array(20).fill('node2'));
      expect(pool.connectionsOpened).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('refuses a mismatched host key, naming the host and the fingerprint', async () => {
    const dir = workspace();
    const wrong = join(dir, 'known_hosts');
    const real = readFileSync(node('node1').ssh.knownHosts as string, 'utf8');
    // node1's entries, but carrying node2's key: what a reinstalled host looks like.
    const node2Key = real.split('\n').find((l) => l.split(',')[0] === 'node2')?.split(' ').slice(1).join(' ');
    expect(node2Key).toMatch(/^ssh-ed25519 /);
    writeFileSync(wrong, `node1 ${node2Key}\n${node('node1').address} ${node2Key}\n`);
    const pool = new SshPool();
    try {
      const error = await pool.exec({ ...sshTargetOf(node('node1')), knownHosts: wrong }, 'true', { signal }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HOST_KEY' });
      expect(String((error as Error).message)).toMatch(/node1 .*MISMATCH.*SHA256:/);
    } finally {
      await pool.close();
    }
  });

  it('refuses an unknown host key unless accept-new, which records it', async () => {
    const dir = workspace();
    const empty = join(dir, 'known_hosts');
    writeFileSync(empty, '');
    const pool = new SshPool();
    try {
      const strict = await pool.exec({ ...sshTargetOf(node('node3')), knownHosts: empty }, 'true', { signal }).catch((e: unknown) => e);
      expect(strict).toMatchObject({ code: 'HOST_KEY' });
      expect(String((strict as Error).message)).toContain('unknown host key');
      const accepted = await pool.exec({ ...sshTargetOf(node('node3')), knownHosts: empty, hostKey: 'accept-new' }, 'hostname', { signal });
      expect(accepted.stdout.trim()).toBe('node3');
      expect(readFileSync(empty, 'utf8')).toContain(node('node3').address);
    } finally {
      await pool.close();
    }
  });

  it('names the host when authentication is refused', async () => {
    const dir = workspace();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const pool = new SshPool();
    try {
      const error = await pool.exec({ ...sshTargetOf(node('node2')), identity: join(dir, 'other') }, 'true', { signal }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AUTH' });
      expect(String((error as Error).message)).toContain('node2');
    } finally {
      await pool.close();
    }
  });
});

describe('SSH actions through the CLI', () => {
  it('ssh.run fans out over a group and keys outputs by node', async () => {
    const dir = workspace({
      'rb.yaml': `
name: fanout
steps:
  - id: names
    action: ssh.run
    on: all
    with: { command: "hostname" }
  - id: check
    needs: [names]
    action: assert
    with: { that: "\${{ steps.names.outputs.node1.stdout == 'node1' && steps.names.outputs.node3.stdout == 'node3' }}" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('ssh.script uploads, passes quoted arguments, and removes the script; a failing script fails the step', async () => {
    const dir = workspace({
      'show-args.sh': 'set -eu\nfor a in "$@"; do printf "<%s>\\n" "$a"; done\ntest "${1:-}" != fail\n',
      'rb.yaml': `
name: script
inputs:
  arg: { type: string, default: "a b; touch /tmp/rb-pwned" }
steps:
  - id: run
    action: ssh.script
    on: node2
    with: { script: show-args.sh, args: ["\${{ inputs.arg }}", "two"] }
`,
    });
    const ok = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    const done = ok.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'step.succeeded');
    expect(done.outputs.stdout).toBe('<a b; touch /tmp/rb-pwned>\n<two>');
    expect(existsSync('/tmp/rb-pwned')).toBe(false);
    expect(execFileSync('sh', ['-c', 'ls -d /tmp/runbook-script.* 2>/dev/null || true']).toString()).toBe('');
    const failed = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's2', '--input', 'arg=fail'], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('node2: show-args.sh failed with exit code 1');
  });

  it('ssh.file merges JSON atomically with a backup, and a second run changes nothing', async () => {
    const dir = workspace();
    const path = join(dir, 'daemon.json');
    writeFileSync(path, JSON.stringify({ 'log-level': 'warn', 'insecure-registries': ['old:5000'] }));
    writeFileSync(
      join(dir, 'rb.yaml'),
      `
name: file
steps:
  - id: merge
    action: ssh.file
    on: node1
    with: { path: "${path}", merge: true, json: { insecure-registries: ["10.0.0.1:5000"] } }
`,
    );
    const first = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ 'log-level': 'warn', 'insecure-registries': ['old:5000', '10.0.0.1:5000'] });
    expect(JSON.parse(readFileSync(`${path}.bak`, 'utf8'))).toEqual({ 'log-level': 'warn', 'insecure-registries': ['old:5000'] });
    const second = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's2', '--json'], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('"reason":"check"');
  });

  it('ssh.file writes a file again when only its mode differs from the mode given, then leaves it alone', async () => {
    const dir = workspace();
    const path = join(dir, 'conf');
    const rb = (mode: string): string => `
name: file-mode
steps:
  - id: write
    action: ssh.file
    on: node1
    with: { path: "${path}", content: "same\\n", mode: "${mode}" }
`;
    writeFileSync(join(dir, 'rb.yaml'), rb('0644'));
    const first = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's1', '--json'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect((statSync(path).mode & 0o777).toString(8)).toBe('644');
    writeFileSync(join(dir, 'rb.yaml'), rb('0600'));
    const second = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's2', '--json'], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('"reason":"check"');
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(path, 'utf8')).toBe('same\n');
    const third = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's3', '--json'], { cwd: dir });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('"reason":"check"');
  });

  it('with sudo: true, ssh.file installs its staged copy and ssh.script runs its script through sudo -n', async () => {
    const dir = workspace({ 'whoami.sh': 'printf "%s as uid %s\\n" "$1" "$(id -u)"\n' });
    const path = join(dir, 'conf.json');
    writeFileSync(
      join(dir, 'rb.yaml'),
      `
name: with-sudo
steps:
  - id: file
    action: ssh.file
    on: node1
    with: { path: "${path}", json: { a: 1 }, mode: "0640", sudo: true }
  - id: script
    action: ssh.script
    on: node1
    with: { script: whoami.sh, args: ["it's me"], sudo: true }
`,
    );
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: 1 });
    expect((statSync(path).mode & 0o777).toString(8)).toBe('640');
    const done = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'step.succeeded' && e.step === 'script');
    expect(done.outputs.stdout).toBe("it's me as uid 0");
    // sudo looks its host name up, which no DNS answers inside the lab: about 5 s a call here.
  }, 60_000);

  it('a runner killed while ssh.script runs leaves no script on the node: it is removed when the script ends', async () => {
    const dir = workspace({
      'slow.sh': `touch "$1/started"; sleep 2; touch "$1/finished"\n`,
    });
    writeFileSync(
      join(dir, 'rb.yaml'),
      `
name: killed-script
steps:
  - id: slow
    action: ssh.script
    on: node2
    with: { script: slow.sh, args: ["${dir}"] }
`,
    );
    // Lab nodes share this machine's /tmp: only the directories this run makes count.
    const scripts = (): string[] => readdirSync('/tmp').filter((e) => e.startsWith('runbook-script.'));
    const before = new Set(scripts());
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's'], { cwd: dir, onSpawn: killWhen(dir, 'started') });
    expect(r.signal).toBe('SIGKILL');
    const mine = (): string[] => scripts().filter((d) => !before.has(d));
    expect(mine()).toHaveLength(1);
    for (let i = 0; i < 100 && (mine().length > 0 || !existsSync(join(dir, 'finished'))); i++) await sleep(100);
    expect(existsSync(join(dir, 'finished'))).toBe(true);
    expect(mine()).toEqual([]);
  });

  it('wait.until quotes values interpolated into an ssh.run probe command', async () => {
    const marker = join(workspace(), 'pwned');
    const dir = workspace({
      'rb.yaml': `
name: wait-probe
inputs:
  x: { type: string, required: true }
steps:
  - id: wait
    action: wait.until
    on: node1
    with:
      probe: { action: ssh.run, with: { command: "echo \${{ inputs.x }}", read_only: true } }
      until: "\${{ result.stdout == inputs.x }}"
      timeout: 20s
`,
    });
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--input', `x=a; touch ${marker}`], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('a check probe with its own on: looks where it says', async () => {
    const dir = workspace({
      'rb.yaml': `
name: probe-elsewhere
steps:
  - id: elsewhere
    action: ssh.run
    on: node1
    check: { action: ssh.run, on: node2, with: { command: "hostname | grep -qx node2" } }
    with: { command: "touch /nonexistent-dir/never" }
  - id: here
    action: ssh.run
    on: node1
    check: { action: ssh.run, with: { command: "hostname | grep -qx node2" } }
    with: { command: "hostname" }
`,
    });
    const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'step.skipped' && e.step === 'elsewhere')?.reason).toBe('check');
    expect(events.find((e) => e.type === 'step.succeeded' && e.step === 'here')?.outputs.stdout).toBe('node1');
  });

  it('plan of mutating SSH actions writes nothing', async () => {
    const dir = workspace();
    const path = join(dir, 'planned.json');
    writeFileSync(
      join(dir, 'rb.yaml'),
      `
name: planned
steps:
  - id: write
    action: ssh.file
    on: node1
    with: { path: "${path}", json: { a: 1 } }
  - id: touch
    action: ssh.run
    on: all
    with: { command: "touch ${path}.touched" }
`,
    );
    const r = await runCli(['plan', 'rb.yaml', '-i', handle.lab.inventory], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('touch@node3');
    expect(r.stdout).toContain('would run');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.touched`)).toBe(false);
  });

  it('an unreachable node fails its instance with a clear error while the others finish; resume finishes it after power on', async () => {
    const dir = workspace({
      'rb.yaml': `
name: partial
steps:
  - id: names
    action: ssh.run
    on: all
    with: { command: "hostname" }
`,
    });
    await labPower({ name: handle.lab.name, stateDir: handle.stateDir }, 'node3', 'off', { hard: true });
    try {
      const r = await runCli(['run', 'rb.yaml', '-i', handle.lab.inventory, '--state-dir', 's', '--json'], { cwd: dir });
      expect(r.code).toBe(1);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(events.filter((e) => e.type === 'step.succeeded').map((e) => e.instance).sort()).toEqual(['names@node1', 'names@node2']);
      const failed = events.find((e) => e.type === 'step.failed');
      expect(failed.instance).toBe('names@node3');
      expect(failed.error).toMatch(/node3 .*unreachable/);
    } finally {
      await labPower({ name: handle.lab.name, stateDir: handle.stateDir }, 'node3', 'on');
    }
    const resumed = await runCli(['resume', '--state-dir', 's', '--json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const again = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'step.succeeded');
    expect(again.map((e) => e.instance)).toEqual(['names@node3']);
  });
});
