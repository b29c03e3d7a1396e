/**
 * Plain lines for logs, pipes and `NO_COLOR`: one line per notable event, a time on each, no
 * ANSI codes, and a summary at the end. Command output is shown under the instance it came from.
 */
import type { Reporter, RunEvent, StepInstanceRef } from '../runner/events.js';

export interface PlainOptions {
  /** Also print the plan's steps and each success's outputs. */
  verbose?: boolean;
  now?: () => Date;
}

type Outcome = 'succeeded' | 'failed' | 'skipped';

const BY: Record<'tty' | 'flag' | 'resume', string> = { tty: 'on the terminal', flag: 'by --yes', resume: 'earlier in this run' };

export class PlainReporter implements Reporter {
  private readonly out: NodeJS.WritableStream;
  private readonly verbose: boolean;
  private readonly now: () => Date;
  private readonly outcomes = new Map<string, Outcome>();

  constructor(out: NodeJS.WritableStream, options: PlainOptions = {}) {
    this.out = out;
    this.verbose = options.verbose ?? false;
    this.now = options.now ?? (() => new Date());
  }

  onEvent(event: RunEvent): void {
    for (const line of this.format(event)) this.out.write(`${line}\n`);
  }

  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }

  close(): Promise<void> {
    return this.flush();
  }

  private format(e: RunEvent): string[] {
    const t = clockTime(this.now());
    switch (e.type) {
      case 'run.started': {
        const where = e.cluster === undefined ? '' : ` on cluster ${e.cluster}`;
        return [`${t} ▶ ${e.resumed ? 'resuming' : 'running'} ${e.runbook}${where} (run ${e.runId})`];
      }
      case 'plan.ready':
        if (!this.verbose) return [];
        return [
          `${t}   plan: ${e.steps.length} step${e.steps.length === 1 ? '' : 's'}`,
          ...e.steps.map((s) => `           ${s.step}${s.name === s.step ? '' : ` (${s.name})`}${s.needs.length > 0 ? ` after ${s.needs.join(', ')}` : ''}`),
        ];
      case 'step.started':
        return [`${t} ▶ ${label(e)} started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`];
      case 'step.log':
        return [`           ${label(e)} ${e.stream === 'stderr' ? '!' : '|'} ${e.line}`];
      case 'step.retrying':
        return [`${t} ↻ ${label(e)} retry ${e.attempt}/${e.maxAttempts} in ${formatDuration(e.delayMs)}: ${e.error}`];
      case 'step.succeeded': {
        this.outcomes.set(e.instance, 'succeeded');
        const lines = [`${t} ✔ ${label(e)} ${formatDuration(e.durationMs)}`];
        if (this.verbose) {
          for (const [k, v] of Object.entries(e.outputs)) lines.push(`           ${label(e)} → ${k} = ${JSON.stringify(v)}`);
        }
        return lines;
      }
      case 'step.failed': {
        this.outcomes.set(e.instance, 'failed');
        const tolerated = e.tolerated ? ' (tolerated: continue_on_error)' : '';
        return [
          `${t} ✖ ${label(e)} failed after ${formatDuration(e.durationMs)}${tolerated}: ${e.error}`,
          ...e.details.map((d) => `           ${label(e)} ! ${d}`),
        ];
      }
      case 'step.skipped':
        if (!this.outcomes.has(e.instance)) this.outcomes.set(e.instance, 'skipped');
        return [`${t} – ${label(e)} skipped (${e.reason}${e.detail === undefined ? '' : `: ${e.detail}`})`];
      case 'node.identified':
        return this.verbose ? [`           ${identified(e)}`] : [];
      case 'gate.answered':
        return [`${t} ? ${e.question} → ${e.answer ? 'yes' : 'no'} (${BY[e.by]})`];
      case 'run.finished': {
        const lines = [`${t} ■ run ${e.status} in ${formatDuration(e.durationMs)}: ${this.summary()}`];
        if (e.error !== undefined) lines.push(`           ${e.error}`);
        return lines;
      }
      default:
        return assertNever(e);
    }
  }

  private summary(): string {
    const count = (o: Outcome) => [...this.outcomes.values()].filter((v) => v === o).length;
    return `${count('succeeded')} succeeded, ${count('failed')} failed, ${count('skipped')} skipped`;
  }
}

/** `1.2s`, `12s`, `2m05s`, `1h02m`: short enough for a row, precise enough to compare. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}

/** How an instance is named on screen: `id`, `id[key]`, `id@node`. */
export function label(ref: StepInstanceRef): string {
  return ref.instance;
}

function clockTime(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function assertNever(e: never): never {
  throw new Error(`unhandled run event ${JSON.stringify(e)}`);
}

/** `node2 (docker) is host "node2" (swarm node abc…) at unix:///…`: who answered at first contact. */
export function identified(e: { readonly node: string; readonly via: 'docker' | 'ssh'; readonly endpoint: string; readonly hostname: string; readonly nodeId?: string }): string {
  const swarm = e.nodeId === undefined ? '' : ` (swarm node ${e.nodeId})`;
  return `${e.node} (${e.via}) is host ${JSON.stringify(e.hostname)}${swarm} at ${e.endpoint}`;
}
