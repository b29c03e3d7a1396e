/**
 * One trial: run a procedure with a fault at a chosen moment (the runner killed with SIGKILL, or a node's
 * network cut and later restored), resume it when it did not finish, then judge from the journal and the lab
 * whether anything was done twice (doubled) or left undone (lost).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { runbookBin } from '../engine/lab/repo-root.js';
import { builtinRunbooksDir } from '../engine/package-root.js';
import { converged, cutNetwork, nodesUp, powerCommandsDone, switches, type SoakCluster } from './cluster.js';

export type Procedure = 'emergency-shutdown' | 'reboot-from-shutdown';

/** Where the fault strikes: `delayMs` after the step's first instance started (or succeeded). */
export interface Moment {
  readonly step: string;
  readonly phase: 'started' | 'succeeded';
  readonly delayMs: number;
}

export type Fault = ({ readonly kind: 'kill' } | { readonly kind: 'cut'; readonly node: string; readonly holdMs: number }) & Moment;

export interface TrialResult {
  readonly procedure: Procedure;
  readonly fault: Fault;
  /** The fault struck before the run ended. */
  readonly struck: boolean;
  readonly resumed: boolean;
  readonly doubled: readonly string[];
  readonly lost: readonly string[];
}

/** The procedure's step ids, in the file's order. */
export function stepsOf(procedure: Procedure): string[] {
  const doc = parse(readFileSync(join(builtinRunbooksDir(), `${procedure}.yaml`), 'utf8')) as { steps: { id: string }[] };
  return doc.steps.map((s) => s.id);
}

export function describeFault(f: Fault): string {
  const at = `${f.delayMs} ms after ${f.step} ${f.phase}`;
  return f.kind === 'kill' ? `kill -9 ${at}` : `cut ${f.node}'s network for ${f.holdMs} ms, ${at}`;
}

interface Outcome {
  readonly code: number | null;
  readonly runId: string | undefined;
  readonly struck: boolean;
  readonly stderr: string;
  /** The errors of the run's failed steps. */
  readonly failures: readonly string[];
}

function runWithFault(c: SoakCluster, procedure: Procedure, fault: Fault): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runbookBin(), 'run', procedure, '-i', c.lab.inventory, '--state-dir', c.state, '--yes', '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C meant for the soak does not interrupt the run it judges.
      detached: true,
    });
    let runId: string | undefined;
    let armed = false;
    let struck = false;
    let restored: Promise<void> = Promise.resolve();
    let buffer = '';
    let stderr = '';
    const failures: string[] = [];
    const strike = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      struck = true;
      if (fault.kind === 'kill') {
        child.kill('SIGKILL');
        return;
      }
      await cutNetwork(c, fault.node, true);
      await sleep(fault.holdMs);
      await cutNetwork(c, fault.node, false);
    };
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as { type: string; runId?: string; step?: string };
        if (event.type === 'run.started') runId = event.runId;
        failures.push(...failuresIn(line));
        if (!armed && event.type === `step.${fault.phase}` && event.step === fault.step) {
          armed = true;
          restored = sleep(fault.delayMs).then(strike);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      // A cut outlives a run that failed under it: the network comes back before anything is judged.
      restored.then(() => resolve({ code, runId, struck, stderr, failures }), reject);
    });
  });
}

interface Record {
  readonly type: string;
  readonly instance?: string;
  readonly ok?: boolean;
  readonly status?: string;
}

function journalOf(c: SoakCluster, runId: string): Record[] {
  const path = join(c.state, 'runs', runId, 'journal.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record);
}

/** The errors of the failed steps among a `--json` run's events. */
function failuresIn(stdout: string): string[] {
  const found: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type: string; instance?: string; error?: string };
    if (event.type === 'step.failed') found.push(`${event.instance ?? '?'}: ${event.error ?? '?'}`);
  }
  return found;
}

function resume(c: SoakCluster, runId: string): Promise<{ code: number | null; failures: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runbookBin(), 'resume', runId, '--state-dir', c.state, '--yes', '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, failures: failuresIn(stdout), stderr }));
  });
}

export async function trial(c: SoakCluster, procedure: Procedure, fault: Fault): Promise<TrialResult> {
  const before = switches(c).length;
  const outcome = await runWithFault(c, procedure, fault);
  const lost: string[] = [];
  const doubled: string[] = [];
  let resumed = false;
  let finished = outcome.code === 0;
  // Only a network cut may fail a step: a run that failed on its own before its kill is a defect.
  if (fault.kind === 'kill' && !outcome.struck && outcome.code !== 0) lost.push(`the run failed before the kill: ${outcome.failures.join('; ') || outcome.stderr.trim()}`);
  if (outcome.runId === undefined) {
    lost.push(`the run never started: ${outcome.stderr.trim()}`);
  } else if (!finished) {
    await powerCommandsDone(c);
    const r = await resume(c, outcome.runId);
    resumed = true;
    finished = r.code === 0;
    if (!finished) lost.push(`resume exited ${String(r.code)}: ${r.failures.join('; ') || r.stderr.trim()}`);
  }

  const journal = outcome.runId === undefined ? [] : journalOf(c, outcome.runId);
  const succeeded = new Map<string, number>();
  for (const r of journal) if (r.type === 'step.succeeded' && r.instance !== undefined) succeeded.set(r.instance, (succeeded.get(r.instance) ?? 0) + 1);
  for (const [instance, n] of succeeded) if (n > 1) doubled.push(`${instance} succeeded ${n} times in the journal`);

  const want = procedure === 'emergency-shutdown' ? 'off' : 'on';
  const made = switches(c).slice(before);
  for (const node of c.lab.nodes.map((n) => n.name)) {
    const mine = made.filter((s) => s.node === node);
    const right = mine.filter((s) => s.power === want).length;
    if (right > 1 || mine.length > right) doubled.push(`${node} switched ${mine.map((s) => s.power).join(', ')}`);
    if (right === 0) lost.push(`${node} was never powered ${want}`);
  }
  if (finished) {
    if (procedure === 'emergency-shutdown') {
      const up = nodesUp(c);
      if (up.length > 0) lost.push(`still up after the shutdown: ${up.join(', ')}`);
    } else {
      const why = await converged(c);
      if (why !== undefined) lost.push(`not converged: ${why}`);
    }
  }
  return { procedure, fault, struck: outcome.struck, resumed, doubled, lost };
}
