/**
 * `power.on` with a `manual` power command, the way an operator meets it: the question on a real
 * terminal (a pseudo-terminal from util-linux `script`), the person powering the machine on (here
 * `labPower`), a yes — journaled — and the step waiting until SSH answers. Without a terminal it is refused
 * before anything happens, `--yes` or not; a no refuses too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { labPower, type LabTarget } from '../../../engine/lab/commands.js';
import { BIN, runCli, workspace } from '../../helpers/cli.js';
import { labLeftovers, withLab, type LabHandle } from '../../helpers/lab.js';

let handle: LabHandle;
let target: LabTarget;
let inventoryFile: string;
let node2Address: string;

const RUNBOOK = `
name: manual-power
steps:
  - id: boot
    action: power.on
    on: node2
    with: { timeout: 1m }
`;

const QUESTION = 'Power on node2, then answer yes [yes/no]';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  handle = await withLab({ nodes: 2, managers: 1, swarm: false });
  target = { name: handle.lab.name, dir: handle.lab.dir, stateDir: handle.stateDir };
  const inventory = parse(readFileSync(handle.lab.inventory, 'utf8')) as { nodes: { name: string; address: string; power?: unknown }[] };
  const node2 = inventory.nodes.find((n) => n.name === 'node2');
  if (node2 === undefined) throw new Error('the lab has no node2');
  node2.power = { on: 'manual' };
  node2Address = node2.address;
  inventoryFile = join(mkdtempSync(join(tmpdir(), 'rbpm-')), 'inventory.yaml');
  writeFileSync(inventoryFile, stringify(inventory));
  await labPower(target, 'node2', 'off');
}, 180_000);

afterAll(async () => {
  await handle?.down();
  if (inventoryFile !== undefined) rmSync(dirname(inventoryFile), { recursive: true, force: true });
  if (handle !== undefined) expect(labLeftovers(handle.lab)).toEqual([]);
}, 120_000);

/** Does sshd on node2 answer (sends its `SSH-` banner) within 3 s? */
function sshAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: node2Address, port: 22, timeout: 3000 });
    let seen = '';
    const end = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.startsWith('SSH-')) end(true);
    });
    socket.on('timeout', () => end(false));
    socket.on('error', () => end(false));
    socket.on('close', () => end(seen.startsWith('SSH-')));
  });
}

interface TerminalRun {
  readonly code: number | null;
  readonly screen: string;
}

interface Terminal {
  /** Resolves when the CLI has exited. */
  readonly done: Promise<TerminalRun>;
  /** What the terminal has shown so far. */
  screen(): string;
  exited(): boolean;
}

/**
 * Runs the CLI on a pseudo-terminal. Once `[yes/no]` shows, `answer` is called with the screen so far and
 * what it returns is typed. The CLI is killed if it takes longer than `ms`.
 */
function onTerminal(args: readonly string[], cwd: string, answer: (screen: string) => Promise<string>, ms = 120_000, color = false): Terminal {
  let screen = '';
  let exited = false;
  const done = new Promise<TerminalRun>((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const { NO_COLOR: _, ...rest } = process.env;
    const env = color ? { ...rest, TERM: 'xterm-256color', FORCE_COLOR: '1' } : { ...process.env, NO_COLOR: '1' };
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    let asked = false;
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString();
      if (!asked && screen.includes('[yes/no]')) {
        asked = true;
        answer(screen).then(
          (typed) => child.stdin.write(`${typed}\n`),
          (e: unknown) => {
            child.kill('SIGKILL');
            reject(e);
          },
        );
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      exited = true;
      resolve({ code, screen });
    });
  });
  return { done, screen: () => screen, exited: () => exited };
}

/** Waits until the terminal shows `text`, for at most `ms`. */
async function untilShown(t: Terminal, text: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!t.screen().includes(text)) {
    if (t.exited() || Date.now() > deadline) throw new Error(`never showed "${text}":\n${t.screen()}`);
    await sleep(200);
  }
}

type Entry = Record<string, unknown>;

function journal(dir: string): Entry[] {
  const runs = readdirSync(join(dir, 's', 'runs'));
  expect(runs).toHaveLength(1);
  return readFileSync(join(dir, 's', 'runs', runs[0] as string, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Entry);
}

function ofType(records: Entry[], type: string): Entry[] {
  return records.filter((r) => r['type'] === type);
}

describe('power.on with power: { on: manual }', () => {
  it('without a terminal it is refused before anything runs (exit 3), and --yes does not answer it', async () => {
    expect(await sshAnswers()).toBe(false);
    for (const yes of [[], ['--yes']]) {
      const dir = workspace({ 'rb.yaml': RUNBOOK });
      const r = await runCli(['run', 'rb.yaml', '-i', inventoryFile, '--state-dir', 's', ...yes], { cwd: dir });
      expect(r.code, `${yes.join(' ')}\n${r.stderr}`).toBe(3);
      expect(r.stderr).toContain('a person must power on node2 and confirm it at a terminal; stdin is not a terminal');
      expect(r.stderr).not.toContain('[yes/no]');
      const records = journal(dir);
      expect(ofType(records, 'step.started')).toEqual([]);
      expect(ofType(records, 'gate.answered')).toEqual([]);
      expect(ofType(records, 'step.skipped')[0]).toMatchObject({ reason: 'refused' });
      expect(ofType(records, 'run.finished')[0]).toMatchObject({ status: 'refused' });
    }
    await sleep(2000);
    expect(await sshAnswers()).toBe(false);
  }, 60_000);

  it('answering no at the terminal refuses (exit 3) and node2 stays off', async () => {
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    const r = await onTerminal(['run', 'rb.yaml', '-i', inventoryFile, '--state-dir', 's'], dir, async () => 'no').done;
    expect(r.code, r.screen).toBe(3);
    expect(r.screen).toContain(QUESTION);
    expect(r.screen).toContain('the operator did not confirm that node2 was powered on');
    const records = journal(dir);
    expect(ofType(records, 'gate.answered')).toMatchObject([{ gate: expect.stringMatching(/^ask:boot/), answer: false, by: 'tty' }]);
    expect(ofType(records, 'step.failed')[0]).toMatchObject({ code: 'GATE_REFUSED', error: expect.stringContaining('did not confirm that node2') });
    expect(ofType(records, 'step.succeeded')).toEqual([]);
    expect(ofType(records, 'run.finished')[0]).toMatchObject({ status: 'refused' });
    await sleep(2000);
    expect(await sshAnswers()).toBe(false);
  }, 90_000);

  it('asks at the terminal naming node2; the person powers it on and says yes; the step ends once SSH answers', async () => {
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    let silentWhenAsked: boolean | undefined;
    let screenWhenAsked = '';
    let poweredAt = 0;
    // A colour terminal: the question must not be drawn over by the redrawing progress display.
    const r = await onTerminal(['run', 'rb.yaml', '-i', inventoryFile, '--state-dir', 's'], dir, async (screen) => {
      screenWhenAsked = screen;
      silentWhenAsked = !(await sshAnswers());
      await labPower(target, 'node2', 'on');
      poweredAt = Date.now();
      return 'yes';
    }, 120_000, true).done;
    expect(r.code, r.screen).toBe(0);
    // Plain lines, one per event, rather than listr2's redrawn rows.
    expect(r.screen.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/▶ boot started/);
    expect(silentWhenAsked).toBe(true);
    expect(screenWhenAsked).toContain('power on node2 by hand');
    expect(screenWhenAsked).toContain(QUESTION);
    expect(await sshAnswers()).toBe(true);
    const records = journal(dir);
    // Who confirmed the power-on, and when: the yes is journaled as the instance's question, before its success.
    const answered = ofType(records, 'gate.answered');
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ gate: expect.stringMatching(/^ask:boot/), question: 'Power on node2, then answer yes', answer: true, by: 'tty' });
    expect(Date.parse(answered[0]?.['ts'] as string)).toBeGreaterThanOrEqual(poweredAt);
    const started = ofType(records, 'step.started')[0];
    const succeeded = ofType(records, 'step.succeeded')[0];
    expect(succeeded).toMatchObject({ outputs: { node: 'node2', power: 'on' } });
    expect(Date.parse(started?.['ts'] as string)).toBeLessThan(poweredAt);
    expect(Date.parse(succeeded?.['ts'] as string)).toBeGreaterThanOrEqual(poweredAt);
    expect(ofType(records, 'run.finished')[0]).toMatchObject({ status: 'succeeded' });
  }, 120_000);

  it('at a terminal --yes still asks, and a yes before the node is up waits until SSH answers', async () => {
    await labPower(target, 'node2', 'off');
    expect(await sshAnswers()).toBe(false);
    const dir = workspace({ 'rb.yaml': RUNBOOK });
    const terminal = onTerminal(['run', 'rb.yaml', '-i', inventoryFile, '--state-dir', 's', '--yes'], dir, async () => 'yes');
    // The person says yes too early: the step must keep waiting while node2 is dark.
    await untilShown(terminal, 'waiting: node2 does not answer on SSH yet');
    await sleep(6000);
    expect(terminal.exited()).toBe(false);
    expect(await sshAnswers()).toBe(false);
    await labPower(target, 'node2', 'on');
    const poweredAt = Date.now();
    const r = await terminal.done;
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain(QUESTION);
    expect(r.screen).toContain('waiting: node2 does not answer on SSH yet');
    const succeeded = ofType(journal(dir), 'step.succeeded')[0];
    expect(Date.parse(succeeded?.['ts'] as string)).toBeGreaterThanOrEqual(poweredAt);
    expect(await sshAnswers()).toBe(true);
  }, 150_000);
});
