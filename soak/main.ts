/**
 * `npm run soak`: emergency-shutdown then reboot-from-shutdown on a 5-node lab, again and again, each run hit
 * by a fault at a random moment (the runner killed with SIGKILL, or a node's network cut and restored), then
 * resumed. Counts, from the journal and the lab's power log, what was done twice and what was left undone.
 *
 *   --trials N   kill trials of each procedure (default 100)
 *   --cuts N     network-cut trials of each procedure (default a tenth of --trials, at least 1)
 *   --seed S     the seed (default a random one, printed); --from K starts at cycle K to replay it
 *   --minutes M  stop after M minutes even if trials remain (default 180)
 *   --keep       leave the lab and its runs in place when a trial fails, to look at them
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDown, clusterUp } from './cluster.js';
import { between, isCutCycle, pickOf, trialRandom, type Random } from './random.js';
import { describeFault, stepsOf, trial, type Fault, type Procedure, type TrialResult } from './trial.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`soak: --${name} takes a whole number, not ${process.argv[at + 1] ?? 'nothing'}; write e.g. --${name} 10`);
    process.exit(2);
  }
  return value;
}

const trials = option('trials', 100);
const cuts = option('cuts', Math.max(1, Math.floor(trials / 10)));
const seed = option('seed', Math.floor(Math.random() * 2 ** 31));
const from = option('from', 0);
const deadline = Date.now() + option('minutes', 180) * 60_000;
if (process.getuid?.() !== 0) {
  console.error('soak: the lab needs root');
  process.exit(2);
}

const PROCEDURES: readonly Procedure[] = ['emergency-shutdown', 'reboot-from-shutdown'];
const STEPS = new Map(PROCEDURES.map((p) => [p, stepsOf(p)]));
const OTHERS = ['node2', 'node3', 'node4', 'node5'];

function moment(random: Random, procedure: Procedure): Omit<Fault, 'kind'> {
  // Early steps read and record; the graph's middle and end are where a kill hurts: every step is as likely.
  return { step: pickOf(random, STEPS.get(procedure) ?? []), phase: random() < 0.5 ? 'started' : 'succeeded', delayMs: between(random, 0, 1_500) };
}

/** Cycle `n` (counted from 0): the faults of its shutdown and its reboot. */
function faultsOf(n: number): [Fault, Fault] {
  const random = trialRandom(seed, n);
  // Spread among the kills, so that a soak stopped early has had both.
  const cut = isCutCycle(n, trials, cuts);
  const one = (procedure: Procedure): Fault =>
    cut
      ? { kind: 'cut', node: pickOf(random, OTHERS), holdMs: between(random, 2_000, 8_000), ...moment(random, procedure) }
      : { kind: 'kill', ...moment(random, procedure) };
  return [one('emergency-shutdown'), one('reboot-from-shutdown')];
}

function judged(n: number, r: TrialResult): string {
  const verdict = r.doubled.length + r.lost.length === 0 ? 'ok' : [...r.doubled.map((d) => `DOUBLED ${d}`), ...r.lost.map((l) => `LOST ${l}`)].join('; ');
  const how = r.struck ? (r.resumed ? 'resumed' : 'finished') : 'ran to the end first';
  return `#${n} ${r.procedure}: ${describeFault(r.fault)}: ${how}, ${verdict}`;
}

interface Tally {
  trials: number;
  resumed: number;
  doubled: number;
  lost: number;
}

const tallies = new Map<string, Tally>();
function count(key: string, r: TrialResult): void {
  const t = tallies.get(key) ?? { trials: 0, resumed: 0, doubled: 0, lost: 0 };
  t.trials += 1;
  t.resumed += r.resumed ? 1 : 0;
  t.doubled += r.doubled.length > 0 ? 1 : 0;
  t.lost += r.lost.length > 0 ? 1 : 0;
  tallies.set(key, t);
}

const line = (t: Tally): string => `trials ${t.trials}, resumed ${t.resumed}, doubled ${t.doubled}, lost ${t.lost}`;

console.log(`soak: seed ${seed}; replay cycle N alone with: npm run soak -- --seed ${seed} --trials ${trials} --cuts ${cuts} --from N`);
const dir = mkdtempSync(join(tmpdir(), 'rbs-'));
const name = `sk${process.pid}`;
let failed: number | undefined;
let stopped: 'time' | 'interrupted' | undefined;

// Ctrl-C finishes the trial under way, then takes the lab down and prints the tally; a second one leaves at
// once, the lab up. (The runs are started in process groups of their own: a terminal's Ctrl-C is not theirs.)
const onSignal = (): void => {
  if (stopped === 'interrupted') {
    console.log(`soak: left at once; the lab is still up: runbook lab down --name ${name} --state-dir ${dir}`);
    process.exit(130);
  }
  stopped = 'interrupted';
  console.log('soak: stopping after the trial under way (Ctrl-C again to leave at once, with the lab up)');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  const cluster = await clusterUp(name, dir);
  for (let n = from; n < trials + cuts && failed === undefined; n += 1) {
    if (stopped !== undefined) break;
    if (Date.now() > deadline) {
      stopped = 'time';
      break;
    }
    const faults = faultsOf(n);
    for (const [i, procedure] of PROCEDURES.entries()) {
      const fault = faults[i] as Fault;
      const t0 = performance.now();
      const r = await trial(cluster, procedure, fault);
      console.log(`${judged(n, r)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      count(`${procedure} ${fault.kind}`, r);
      // The cluster is no longer known after a bad trial: stop, so that the seed replays it from a clean lab.
      if (r.doubled.length + r.lost.length > 0) {
        failed = n;
        break;
      }
      if (stopped === 'interrupted') break;
    }
  }
} finally {
  if (failed !== undefined && process.argv.includes('--keep')) {
    console.log(`soak: kept the lab: runs in ${join(dir, 'state')}; take it down with: runbook lab down --name ${name} --state-dir ${dir}`);
  } else {
    await clusterDown(name, dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

const total: Tally = { trials: 0, resumed: 0, doubled: 0, lost: 0 };
for (const [key, t] of [...tallies].sort()) {
  console.log(`${key.padEnd(28)} ${line(t)}`);
  for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k];
}
console.log(line(total));
if (stopped === 'time') console.log('soak: stopped at the time limit (--minutes)');
if (stopped === 'interrupted') {
  console.log('soak: stopped when asked to');
  process.exitCode = 130;
}
if (failed !== undefined) {
  console.log(`soak: cycle ${failed} failed; replay it with: npm run soak -- --seed ${seed} --trials ${trials} --cuts ${cuts} --from ${failed}`);
  process.exitCode = 1;
}
