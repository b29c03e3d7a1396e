/**
 * The CLI around a run, without a lab: resume refuses a changed inventory unless --force; `runs`, `show`
 * and `resume RUN_ID` speak about the right run; `--runbooks DIR` finds and lists runbooks by name; an
 * invalid inventory stops `run` and `plan` before anything executes; `validate` of several files names
 * only the bad one. Inventories list nodes that are never contacted: every step is a local shell.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace, type CliResult } from '../../helpers/cli.js';

const INVENTORY = `
cluster: surface
nodes:
  - { name: n1, address: 192.0.2.1, role: manager }
  - { name: n2, address: 192.0.2.2, role: worker }
`;

/** A runbook that fails at `gate` until the file `ok-NAME` exists, then touches `marker-NAME`. */
function failingRunbook(name: string): string {
  return `
name: ${name}
description: fails until ok-${name} exists
steps:
  - id: first
    action: shell
    with: { command: "echo run >> first-${name}.count" }
  - id: gate
    needs: [first]
    action: shell
    with: { command: "test -f ok-${name}" }
  - id: after
    needs: [gate]
    action: shell
    with: { command: "touch marker-${name}" }
`;
}

function count(dir: string, file: string): number {
  return existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').length : 0;
}

/** The run id a failed run tells the operator to resume. */
function failedRunId(r: CliResult): string {
  const m = /continue it with: runbook resume (\S+)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return m?.[1] as string;
}

/** The lines of `runbook show` after its title, without their timestamps. */
function timeline(stdout: string): string[] {
  return stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3}\s+/, ''));
}

const STACK_LINE = /^\s+at /m;

describe('runbook resume and the inventory', () => {
  it('refuses with exit 2 when the inventory changed since the run began, and --force continues', async () => {
    const dir = workspace({ 'rb.yaml': failingRunbook('inv-change'), 'inv.yaml': INVENTORY });
    const failed = await runCli(['run', 'rb.yaml', '-i', 'inv.yaml', '--state-dir', 's'], { cwd: dir });
    expect(failed.code, failed.stderr).toBe(1);
    writeFileSync(join(dir, 'inv.yaml'), INVENTORY + '  - { name: n3, address: 192.0.2.3, role: worker }\n');
    writeFileSync(join(dir, 'ok-inv-change'), '');

    const refused = await runCli(['resume', '--state-dir', 's'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/inv\.yaml changed since run \S+ began/);
    expect(refused.stderr).toContain('--force');
    expect(existsSync(join(dir, 'marker-inv-change'))).toBe(false);

    const forced = await runCli(['resume', '--state-dir', 's', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(dir, 'marker-inv-change'))).toBe(true);
    expect(count(dir, 'first-inv-change.count')).toBe(1);
  });
});

describe('runbook runs, show and resume RUN_ID', () => {
  it('lists runs, shows a timeline in order, and resumes the run named rather than the latest', async () => {
    const dir = workspace({ 'older.yaml': failingRunbook('older'), 'newer.yaml': failingRunbook('newer') });
    const older = failedRunId(await runCli(['run', 'older.yaml', '--state-dir', 's'], { cwd: dir }));
    const newer = failedRunId(await runCli(['run', 'newer.yaml', '--state-dir', 's'], { cwd: dir }));
    expect(newer).not.toBe(older);

    const runs = await runCli(['runs', '--state-dir', 's'], { cwd: dir });
    expect(runs.code, runs.stderr).toBe(0);
    const [head, ...rows] = runs.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^RUN\s+RUNBOOK\s+STATUS\s+STARTED\s+DURATION$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${newer}\\s+newer\\s+failed\\s`));
    expect(rows[1]).toMatch(new RegExp(`^${older}\\s+older\\s+failed\\s`));

    const show = await runCli(['show', older, '--state-dir', 's'], { cwd: dir });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout.split('\n')[0]).toBe(`run ${older} — older — failed`);
    const expected = [/^started older /, /^▶ first on local$/, /^✔ first /, /^▶ gate on local$/, /^✖ gate: /, /^■ failed /];
    const lines = timeline(show.stdout);
    expect(lines).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));

    writeFileSync(join(dir, 'ok-older'), '');
    writeFileSync(join(dir, 'ok-newer'), '');
    const resumed = await runCli(['resume', older, '--state-dir', 's'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(dir, 'marker-older'))).toBe(true);
    expect(existsSync(join(dir, 'marker-newer'))).toBe(false);
    expect(count(dir, 'first-older.count')).toBe(1);

    const after = await runCli(['runs', '--state-dir', 's'], { cwd: dir });
    expect(after.stdout).toMatch(new RegExp(`^${older}\\s+older\\s+succeeded\\s`, 'm'));
    expect(after.stdout).toMatch(new RegExp(`^${newer}\\s+newer\\s+failed\\s`, 'm'));
  });
});

describe('--runbooks DIR', () => {
  it('finds a runbook by name in the directory, lists it, and shadows a built-in of the same name', async () => {
    const dir = workspace();
    const books = join(dir, 'books');
    mkdirSync(books);
    writeFileSync(join(books, 'local-hello.yaml'), `
name: local-hello
description: says hello locally
inputs:
  who: { type: string, default: world }
steps:
  - id: hello
    action: shell
    with: { command: "echo hello \${{ inputs.who }} > hello.out" }
`);
    writeFileSync(join(books, 'cluster-status.yaml'), `
name: cluster-status
description: a local stand-in
steps:
  - id: stand-in
    action: shell
    with: { command: "touch stand-in.ran" }
`);

    const unknown = await runCli(['run', 'local-hello', '--state-dir', 's'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(existsSync(join(dir, 'hello.out'))).toBe(false);

    const ran = await runCli(['run', 'local-hello', '--runbooks', 'books', '--state-dir', 's'], { cwd: dir });
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(join(dir, 'hello.out'), 'utf8')).toBe('hello world\n');

    const shadow = await runCli(['run', 'cluster-status', '--runbooks', 'books', '--state-dir', 's'], { cwd: dir });
    expect(shadow.code, shadow.stderr).toBe(0);
    expect(existsSync(join(dir, 'stand-in.ran'))).toBe(true);

    const list = await runCli(['list', '--runbooks', 'books'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^local-hello — says hello locally$/m);
    expect(list.stdout).toMatch(/^ {4}--input who=…\s+\(string, default "world"\)/m);
    const statusLines = list.stdout.split('\n').filter((l) => l.startsWith('cluster-status'));
    expect(statusLines).toEqual(['cluster-status — a local stand-in']);
  });
});

describe('an invalid inventory', () => {
  const cases = [
    {
      what: 'a node without address',
      file: 'no-address.yaml',
      text: 'cluster: bad\nnodes:\n  - { name: n1, address: 192.0.2.1, role: manager }\n  - { name: n2, role: worker }\n',
      diagnostic: /^no-address\.yaml:4:5: error RB_INV_MISSING_ADDRESS\b/m,
    },
    {
      what: 'a duplicate node name',
      file: 'duplicate.yaml',
      text: 'cluster: bad\nnodes:\n  - { name: n1, address: 192.0.2.1, role: manager }\n  - { name: n1, address: 192.0.2.2, role: worker }\n',
      diagnostic: /^duplicate\.yaml:4:\d+: error RB_INV_DUPLICATE_NODE\b/m,
    },
  ];
  for (const c of cases) {
    it(`with ${c.what} makes run and plan exit 2 at its position, executing nothing`, async () => {
      const dir = workspace({
        [c.file]: c.text,
        'rb.yaml': 'name: touches\nsteps:\n  - id: touch\n    action: shell\n    with: { command: "touch marker" }\n',
      });
      for (const command of ['run', 'plan']) {
        const r = await runCli([command, 'rb.yaml', '-i', c.file, '--state-dir', 's'], { cwd: dir });
        expect(r.code, `${command}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(c.diagnostic);
        expect(r.stderr).not.toMatch(STACK_LINE);
        expect(r.stderr).not.toContain('internal error');
        expect(existsSync(join(dir, 'marker'))).toBe(false);
        expect(existsSync(join(dir, 's'))).toBe(false);
      }
    });
  }
});

describe('runbook validate with several files', () => {
  it('exits 2 and names only the invalid file, with file:line:col', async () => {
    const dir = workspace({
      'a.yaml': 'name: a\nsteps:\n  - id: one\n    action: shell\n    with: { command: "true" }\n',
      'b.yaml': 'name: b\nsteps:\n  - id: one\n    action: shell\n    needs: [nope]\n    with: { command: "true" }\n',
    });
    const r = await runCli(['validate', 'a.yaml', 'b.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    const heads = r.stderr.split('\n').filter((l) => /^\S+:\d+:\d+: error /.test(l));
    expect(heads.length).toBeGreaterThan(0);
    for (const head of heads) expect(head).toMatch(/^b\.yaml:5:\d+: error RB_UNKNOWN_NEEDS\b/);
    expect(r.stderr).not.toContain('a.yaml');
    expect(r.stderr).not.toMatch(/runbooks? valid/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('--help', () => {
  it('lists the commands and the options of plan, run and resume, with examples', async () => {
    const root = await runCli(['--help']);
    expect(root.code).toBe(0);
    for (const text of ['report [options] <run-id>', 'inventory', '--limit "workers:!c005"', 'plan provision-node', '--diff', 'inventory import hosts.ini']) {
      expect(root.stdout).toContain(text);
    }
    for (const command of ['plan', 'run', 'resume']) {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('-l, --limit <pattern>');
    }
    expect((await runCli(['plan', '--help'])).stdout).toContain('--input node=node3 --diff');
  });
});
