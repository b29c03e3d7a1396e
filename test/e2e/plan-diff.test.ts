/**
 * `plan --diff` against real lab nodes (real sshd): each `ssh.file` step shows a unified diff of the node's
 * file against what the run would write, read through the read-only probe, so the file is left exactly as it
 * was. A missing file diffs against /dev/null, an unchanged one says so, a mode change is named, a secret input
 * is masked on both sides; provision-node shows the daemon.json it would merge.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { deriveInventory } from './node-lifecycle-cli.js';

const CANARY = 'canary-7f3b9e1d-secret';
const NEW_PASSWORD = 'canary-2c41aa90-password';
const OLD_PASSWORD = 'old-pass-5d6e7f80';

let handle: LabHandle;
let dir: string;
let inventory: string;
let files: string;

/** Content, mode and mtime of a file, and what lies beside it: what a plan must not change. */
function fingerprint(path: string): unknown {
  const beside = readdirSync(dirname(path)).sort();
  if (!existsSync(path)) return { missing: true, beside };
  const s = statSync(path);
  return { content: readFileSync(path, 'utf8'), mode: s.mode, mtime: s.mtimeMs, beside };
}

function runbookFile(name: string, steps: string, inputs = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n${inputs}steps:\n${steps}`);
  return file;
}

interface JsonPlan {
  steps: { step: string; instances: { instance: string; check?: string; diff?: { path: string; change: string; attributes: string[]; lines: string[] }[]; diffNote?: string }[] }[];
}

/** Where `expected` (indented as the plan prints it) stands in the plan's text: it must be there, line by line. */
function block(stdout: string, expected: readonly string[]): { lines: string[]; at: number } {
  const lines = stdout.split('\n');
  const at = lines.indexOf(expected[0]!);
  expect(at, stdout).toBeGreaterThan(0);
  expect(lines.slice(at, at + expected.length)).toEqual(expected);
  return { lines, at };
}

function instanceOf(stdout: string, step: string): JsonPlan['steps'][number]['instances'][number] {
  const plan = JSON.parse(stdout) as JsonPlan;
  const found = plan.steps.find((s) => s.step === step)?.instances[0];
  if (found === undefined) throw new Error(`no instance of ${step} in the plan`);
  return found;
}

beforeAll(async () => {
  handle = await withLab({ nodes: 2, managers: 1, swarm: true });
  dir = workspace();
  files = workspace();
  inventory = deriveInventory(handle.lab, dir, { groups: { registry: ['node1'] } });
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

describe('plan --diff of ssh.file', () => {
  it('shows the unified diff and the mode change of a file on the node, and leaves it as it was', async () => {
    const path = join(files, 'app.conf');
    writeFileSync(path, 'a=1\nb=2\nc=3\n');
    chmodSync(path, 0o600);
    const file = runbookFile('write-conf', `  - id: conf\n    action: ssh.file\n    on: node2\n    with: { path: ${path}, content: "a=1\\nb=20\\nc=3\\n" }\n`);
    const before = fingerprint(path);

    const r = await runCli(['plan', file, '-i', inventory, '--diff']);
    expect(r.code, r.stderr).toBe(0);
    const diff = [
      `${path}: would change`,
      '  mode 0600 → 0644',
      `  --- a${path}`,
      `  +++ b${path}`,
      '  @@ -1,3 +1,3 @@',
      '   a=1',
      '  -b=2',
      '  +b=20',
      '   c=3',
    ].map((l) => `         ${l}`);
    block(r.stdout, diff);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stdout).toContain('conf on node2 — check: would run');

    const dry = await runCli(['run', file, '-i', inventory, '--dry-run', '--diff']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(r.stdout);

    const json = await runCli(['plan', file, '-i', inventory, '--diff', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(instanceOf(json.stdout, 'conf').diff).toEqual([
      { path, change: 'changed', attributes: ['mode 0600 → 0644'], lines: diff.slice(2).map((l) => l.slice(11)) },
    ]);

    const plain = await runCli(['plan', file, '-i', inventory]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('+b=20');
    expect(fingerprint(path)).toEqual(before);
  }, 60_000);

  it('a missing file diffs against /dev/null; an unchanged one says "no change" and would be skipped', async () => {
    const missing = join(files, 'missing.conf');
    const same = join(files, 'same.conf');
    writeFileSync(same, 'k=v\n');
    chmodSync(same, 0o644);
    const file = runbookFile(
      'two-files',
      `  - id: new\n    action: ssh.file\n    on: node2\n    with: { path: ${missing}, content: "x=1\\n", mode: "0640" }\n` +
        `  - id: same\n    action: ssh.file\n    on: node2\n    with: { path: ${same}, content: "k=v\\n" }\n`,
    );
    const before = [fingerprint(missing), fingerprint(same)];
    const r = await runCli(['plan', file, '-i', inventory, '--diff', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(instanceOf(r.stdout, 'new').diff).toEqual([
      { path: missing, change: 'created', attributes: ['new file mode 0640, owner root'], lines: ['--- /dev/null', `+++ b${missing}`, '@@ -0,0 +1,1 @@', '+x=1'] },
    ]);
    expect(instanceOf(r.stdout, 'same')).toMatchObject({ check: 'already satisfied: would be skipped', diff: [{ path: same, change: 'unchanged', lines: [] }] });
    const text = await runCli(['plan', file, '-i', inventory, '--diff']);
    expect(text.stdout).toContain(`         ${same}: no change\n`);
    expect(text.stdout).toContain(`         ${missing}: new file\n           new file mode 0640, owner root\n           --- /dev/null\n`);
    expect([fingerprint(missing), fingerprint(same)]).toEqual(before);
  }, 60_000);

  it('a secret input is masked on both sides of the diff, in text and --json', async () => {
    const path = join(files, 'auth.conf');
    // The token is already in the file; the password replaces an older one the runbook cannot know.
    writeFileSync(path, `user=ops\ntoken=${CANARY} v1\npassword=${OLD_PASSWORD}\n`);
    const file = runbookFile(
      'auth',
      `  - id: auth\n    action: ssh.file\n    on: node2\n    with: { path: ${path}, content: "user=ops\\ntoken=\${{ inputs.token }} v2\\npassword=\${{ inputs.password }}\\n" }\n`,
      'inputs:\n  token: { type: string, secret: true, required: true }\n  password: { type: string, secret: true, required: true }\n',
    );
    const before = fingerprint(path);
    const inputs = ['--input', `token=${CANARY}`, '--input', `password=${NEW_PASSWORD}`];
    const text = await runCli(['plan', file, '-i', inventory, '--diff', ...inputs]);
    const json = await runCli(['plan', file, '-i', inventory, '--diff', '--json', ...inputs]);
    expect(text.code, text.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    expect(text.stdout).toContain('           -token=*** v1\n           -password=***\n           +token=*** v2\n           +password=***\n');
    expect(instanceOf(json.stdout, 'auth').diff?.[0]?.lines).toEqual([
      `--- a${path}`,
      `+++ b${path}`,
      '@@ -1,3 +1,3 @@',
      ' user=ops',
      '-token=*** v1',
      '-password=***',
      '+token=*** v2',
      '+password=***',
    ]);
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      expect(out).not.toContain(CANARY);
      expect(out).not.toContain(NEW_PASSWORD);
      expect(out).not.toContain(OLD_PASSWORD);
    }
    expect(fingerprint(path)).toEqual(before);
  }, 60_000);

  it('`run --diff` without --dry-run is refused before anything runs', async () => {
    const path = join(files, 'refused.conf');
    const file = runbookFile('refused', `  - id: w\n    action: ssh.file\n    on: node2\n    with: { path: ${path}, content: "x\\n" }\n`);
    const r = await runCli(['run', file, '-i', inventory, '--diff', '--yes', '--state-dir', join(dir, 'state')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--diff shows what a plan would change: use it with --dry-run');
    expect(existsSync(path)).toBe(false);
  }, 60_000);
});

describe('plan --diff of provision-node', () => {
  it('shows the daemon.json the run would merge, against the one on the node, and leaves it alone', async () => {
    const node = handle.lab.nodes.find((n) => n.name === 'node2')!;
    const path = join(dirname(node.dockerSocket), 'daemon.json');
    writeFileSync(path, '{ "debug": false }\n');
    const before = fingerprint(path);
    const registry = `${handle.lab.nodes[0]!.address}:5000`;
    const r = await runCli(['plan', 'provision-node', '-i', inventory, '--diff', '--input', 'node=node2', '--input', `daemon_json=${path}`]);
    expect(r.code, r.stderr).toBe(0);
    const diff = [
      `${path}: would change`,
      `  --- a${path}`,
      `  +++ b${path}`,
      '  @@ -1,1 +1,6 @@',
      '  -{ "debug": false }',
      '  +{',
      '  +  "debug": false,',
      '  +  "insecure-registries": [',
      `  +    "${registry}"`,
      '  +  ]',
      '  +}',
    ].map((l) => `         ${l}`);
    const { lines, at } = block(r.stdout, diff);
    expect(lines[at - 3]).toBe('       daemon-json@node2 on node2 — check: would run');
    expect(lines[at - 1]).toBe(`         JSON: {"insecure-registries":["${registry}"]}`);
    expect(fingerprint(path)).toEqual(before);
  }, 120_000);
});
