/**
 * Engine figures: plan time of a 10,000-step runbook, per-step overhead with the journal on,
 * resume (replay) time of a 10,000-event journal, and the run report of that journal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';
import { reportHtml } from '../engine/report/html.js';
import { reportModel } from '../engine/report/model.js';
import { listRuns, loadRunbook, openRunStore, plan, run, showRun, systemPorts, type Reporter, type RunEvent, type Runbook, type RunStore } from '../engine/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function generated(steps: number, action: 'shell' | 'assert'): string {
  const lines = ['name: generated', 'inputs:', '  n: { type: integer, default: 1 }', 'steps:'];
  for (let i = 0; i < steps; i += 1) {
    lines.push(`  - id: s${i}`);
    if (i > 0) lines.push(`    needs: [s${i - 1}]`);
    lines.push(`    action: ${action}`);
    lines.push(
      action === 'assert'
        ? `    with: { that: "\${{ inputs.n == 1 }}" }`
        : `    with: { command: "echo \${{ inputs.n }} step ${i}" }`,
    );
  }
  return lines.join('\n') + '\n';
}

export async function benchPlan(dir: string): Promise<Record<string, number>> {
  const file = join(dir, 'plan-10k.yaml');
  writeFileSync(file, generated(10_000, 'shell'));
  const t0 = performance.now();
  const loaded = loadRunbook(file);
  const t1 = performance.now();
  if (loaded.value === undefined) throw new Error('generated runbook invalid');
  await plan({ runbook: loaded.value, inputs: { n: 1 }, ports: systemPorts(process.stdin, process.stderr) });
  const t2 = performance.now();
  return { plan_10k_validate_ms: t1 - t0, plan_10k_plan_ms: t2 - t1, plan_10k_total_ms: t2 - t0 };
}

/**
 * Why two YAML parsers: `yaml` keeps positions for diagnostics, js-yaml reads a clean file ten times faster.
 * Last, after the engine's peak RSS is taken: a whole `yaml` document of 10,000 steps is large.
 */
export function benchYamlParsers(): Record<string, number> {
  const text = generated(10_000, 'shell');
  const y0 = performance.now();
  parseDocument(text, { lineCounter: new LineCounter() }).toJS();
  const y1 = performance.now();
  jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  const y2 = performance.now();
  return { parse_10k_yaml_with_positions_ms: y1 - y0, parse_10k_js_yaml_ms: y2 - y1 };
}

/** Records when each step finished, to take the median gap between steps. */
class Stopwatch implements Reporter {
  readonly finishedAt: number[] = [];
  onEvent(event: RunEvent): void {
    if (event.type === 'step.succeeded') this.finishedAt.push(performance.now());
  }
}

export function generatedRunbook(file: string): Runbook {
  const loaded = loadRunbook(file);
  if (loaded.value === undefined) throw new Error('generated runbook invalid');
  return loaded.value;
}

/** A chain of steps run through `store` (a file store under `stateDir` when a path is given): its per-step figures. */
export async function runChain(where: string | RunStore, file: string): Promise<{ medianUs: number; meanUs: number; fsyncs: number; fsyncMs: number; runId: string }> {
  const watch = new Stopwatch();
  const store = typeof where === 'string' ? await openRunStore({ stateDir: where }) : where;
  const t0 = performance.now();
  const outcome = await run({ runbook: generatedRunbook(file), inputs: { n: 1 }, store, yes: true, ports: systemPorts(process.stdin, process.stderr), reporters: [watch] });
  const total = performance.now() - t0;
  if (outcome.status !== 'succeeded') throw new Error(`bench run ${outcome.status}`);
  const gaps = watch.finishedAt.slice(1).map((t, i) => t - (watch.finishedAt[i] as number));
  return {
    medianUs: median(gaps) * 1000,
    meanUs: (total / watch.finishedAt.length) * 1000,
    fsyncs: outcome.journal.fsyncs,
    fsyncMs: outcome.journal.fsyncMs,
    runId: outcome.runId,
  };
}

export async function benchSteps(dir: string): Promise<Record<string, number>> {
  const steps = 2000;
  const file = join(dir, 'steps-2k.yaml');
  writeFileSync(file, generated(steps, 'assert'));
  const disk = await runChain(join(dir, 'state-disk'), file);
  // /dev/shm makes fsync nearly free: the difference between the two runs is the fsync cost.
  const shmDir = mkdtempSync('/dev/shm/runbook-bench-');
  let memory;
  try {
    memory = await runChain(shmDir, file);
  } finally {
    rmSync(shmDir, { recursive: true, force: true });
  }
  return {
    step_overhead_median_us_without_fsync: memory.medianUs,
    step_overhead_mean_us_without_fsync: memory.meanUs,
    step_median_us_with_fsync_on_disk: disk.medianUs,
    fsync_mean_us_on_disk: (disk.fsyncMs / Math.max(1, disk.fsyncs)) * 1000,
    fsyncs_per_step_on_disk: disk.fsyncs / steps,
  };
}

/** A run of 4,999 steps journals 10,000 records (a start, a start and a success per step, a finish): replaying them is what a resume does first. */
export async function benchResume(dir: string): Promise<Record<string, number>> {
  const stateDir = join(dir, 'state-resume');
  const file = join(dir, 'steps-5k.yaml');
  writeFileSync(file, generated(4_999, 'assert'));
  const outcome = await run({ runbook: generatedRunbook(file), inputs: { n: 1 }, store: await openRunStore({ stateDir }), yes: true, ports: systemPorts(process.stdin, process.stderr) });
  if (outcome.status !== 'succeeded') throw new Error(`bench run ${outcome.status}`);
  const t0 = performance.now();
  const { state } = await showRun(await openRunStore({ stateDir }), outcome.runId);
  const t1 = performance.now();
  const listed = await listRuns(await openRunStore({ stateDir }));
  if (listed.length !== 1) throw new Error('bench: expected one run');
  const { records } = await showRun(await openRunStore({ stateDir }), outcome.runId);
  const t2 = performance.now();
  const html = reportHtml(reportModel(records, undefined), { generatedAt: new Date().toISOString() });
  const t3 = performance.now();
  return {
    resume_replay_10k_events_ms: t1 - t0,
    resume_replay_records: state.records,
    report_10k_records_ms: t3 - t2,
    report_10k_records_kib: Buffer.byteLength(html) / 1024,
  };
}

export function benchWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'runbook-bench-'));
}

/**
 * What a person waits for before a command does anything: new `runbook` processes, median of 7 each, beside
 * a Node.js process that does nothing (the floor no command can go under). A one-step local runbook shows the
 * fixed cost every `runbook run` pays before its first connection.
 */
export async function benchCliStart(dir: string): Promise<Record<string, number>> {
  const { execFileSync } = await import('node:child_process');
  const { runbookBin, repoRoot } = await import('../engine/lab/repo-root.js');
  const file = join(dir, 'one-step.yaml');
  writeFileSync(file, 'name: one-step\nsteps:\n  - id: ok\n    action: assert\n    with: { that: "${{ true }}" }\n');
  const wall = (args: readonly string[]): number => {
    const times: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const t0 = performance.now();
      execFileSync(process.execPath, args, { cwd: dir, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  return {
    cli_start_node_alone_ms: wall(['-e', '0']),
    cli_start_version_ms: wall([runbookBin(), '--version']),
    cli_start_validate_emergency_shutdown_ms: wall([runbookBin(), 'validate', join(repoRoot(), 'runbooks/emergency-shutdown.yaml')]),
    cli_start_run_one_local_step_ms: wall([runbookBin(), 'run', file, '--state-dir', join(dir, 'state-cli'), '--json']),
  };
}
