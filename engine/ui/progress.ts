/**
 * Progress on a terminal with listr2: a row per step in plan order, a sub-row per instance as it
 * starts. The runner decides everything (retries, gates, skips); each listr2 task is only a promise
 * that settles when the matching event arrives.
 *
 * Instances are not known in advance, and a running Listr does not run tasks added later, so each
 * step's sub-list ends with an untitled task that waits for the next instances and returns a new
 * sub-list of them plus another such task; listr2 draws untitled tasks' children at their parent's
 * level, so the rows look flat.
 */
import type { Listr, ListrTask } from 'listr2';
import { onFirstUse } from '../on-first-use.js';
import type { Reporter, RunEvent, StepInstanceRef } from '../runner/events.js';
import { formatDuration, label } from './plain.js';

const listr2 = onFirstUse<typeof import('listr2')>('listr2');

export interface ProgressOptions {
  /** listr2 renderer; `default` falls back to `simple` when `out` is not a TTY. Tests use `test`. */
  renderer?: 'default' | 'simple' | 'test';
  now?: () => number;
}

type InstanceEnd =
  | { readonly kind: 'succeeded'; readonly durationMs: number }
  | { readonly kind: 'failed'; readonly error: string; readonly tolerated: boolean; readonly durationMs: number }
  | { readonly kind: 'skipped'; readonly reason: string; readonly detail?: string };

interface TitleSink {
  title: string;
  output: string;
  skip(message?: string): void;
  newListr(tasks: ListrTask[], options?: { concurrent?: boolean; exitOnError?: boolean }): Listr;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  settled: boolean;
}

interface InstanceRow {
  readonly ref: StepInstanceRef;
  title: string;
  sink?: TitleSink;
  readonly end: Deferred<InstanceEnd>;
}

interface StepRow {
  readonly step: string;
  readonly name: string;
  readonly needs: readonly string[];
  sink?: TitleSink;
  readonly first: Deferred<InstanceRow | 'not-run'>;
  readonly instances: Map<string, InstanceRow>;
  queue: InstanceRow[];
  wake?: () => void;
  closed: boolean;
  failed: boolean;
  startedAt?: number;
}

export class ProgressReporter implements Reporter {
  private readonly out: NodeJS.WriteStream;
  private readonly renderer: 'default' | 'simple' | 'test';
  private readonly now: () => number;
  private readonly rows = new Map<string, StepRow>();
  private done: Promise<void> | undefined;

  constructor(out: NodeJS.WriteStream, options: ProgressOptions = {}) {
    this.out = out;
    this.renderer = options.renderer ?? 'default';
    this.now = options.now ?? Date.now;
  }

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'plan.ready':
        if (this.done === undefined) this.start(event.steps);
        return;
      case 'step.started':
        this.touch(event, (row, step) => {
          if (event.attempt > 1) retitle(row, `${rowName(step, row)} (attempt ${event.attempt})`);
        });
        return;
      case 'step.retrying':
        this.touch(event, (row, step) =>
          retitle(row, `${rowName(step, row)} (retry ${event.attempt}/${event.maxAttempts} in ${formatDuration(event.delayMs)}: ${event.error})`),
        );
        return;
      case 'step.log':
        this.touch(event, (row) => {
          if (row.sink !== undefined) row.sink.output = event.line;
        });
        return;
      case 'step.succeeded':
        this.touch(event, (row) => settle(row.end, { kind: 'succeeded', durationMs: event.durationMs }));
        return;
      case 'step.failed':
        this.touch(event, (row, step) => {
          if (!event.tolerated) step.failed = true;
          settle(row.end, { kind: 'failed', error: event.error, tolerated: event.tolerated, durationMs: event.durationMs });
        });
        return;
      case 'step.skipped':
        this.touch(event, (row) =>
          settle(row.end, { kind: 'skipped', reason: event.reason, ...(event.detail === undefined ? {} : { detail: event.detail }) }),
        );
        return;
      case 'run.finished':
        this.finishAll();
        return;
      case 'run.started':
      case 'gate.answered':
      case 'node.identified':
        return;
      default:
        assertNever(event);
    }
  }

  /** Resolves when listr2 has drawn its last frame. */
  async close(): Promise<void> {
    if (this.done === undefined) return;
    this.finishAll();
    await this.done;
  }

  private start(steps: readonly { step: string; name: string; needs: readonly string[] }[]): void {
    for (const s of steps) {
      this.rows.set(s.step, {
        step: s.step,
        name: s.name,
        needs: s.needs,
        first: deferred(),
        instances: new Map(),
        queue: [],
        closed: false,
        failed: false,
      });
    }
    const { Listr, ListrLogger, ProcessOutput } = listr2();
    const processOutput = new ProcessOutput(this.out, this.out);
    const logger = new ListrLogger({ useIcons: true, processOutput });
    const list = new Listr([...this.rows.values()].map((row) => this.stepTask(row)), {
      concurrent: true,
      exitOnError: false,
      // The runner owns SIGINT: it journals the interruption and exits 130.
      registerSignalListeners: false,
      renderer: this.renderer,
      rendererOptions: { logger } as never,
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger: new ListrLogger({ useIcons: true, processOutput }) },
      fallbackRendererCondition: this.renderer === 'default' && this.out.isTTY !== true,
    });
    this.done = list.run().then(
      () => undefined,
      () => undefined,
    );
  }

  private stepTask(row: StepRow): ListrTask {
    return {
      title: row.name,
      task: async (_ctx, wrapper) => {
        const sink = wrapper as unknown as TitleSink;
        row.sink = sink;
        const first = await row.first.promise;
        if (first === 'not-run') {
          sink.skip(`${row.name} (not run)`);
          return undefined;
        }
        if (first.ref.instance === row.step) {
          // The step itself is the only instance (a local step, or a step-level skip): no sub-rows.
          first.sink = sink;
          sink.title = first.title;
          endRow(sink, row.name, await first.end.promise);
          return undefined;
        }
        return sink.newListr([...row.queue.splice(0).map((i) => this.instanceTask(i)), this.waitForMore(row)], {
          concurrent: true,
          exitOnError: true,
        });
      },
    };
  }

  private instanceTask(row: InstanceRow): ListrTask {
    return {
      title: row.title,
      exitOnError: false,
      task: async (_ctx, wrapper) => {
        const sink = wrapper as unknown as TitleSink;
        row.sink = sink;
        sink.title = row.title;
        endRow(sink, label(row.ref), await row.end.promise);
      },
    };
  }

  private waitForMore(row: StepRow): ListrTask {
    return {
      task: async (_ctx, wrapper) => {
        while (row.queue.length === 0 && !row.closed) await new Promise<void>((r) => (row.wake = r));
        const batch = row.queue.splice(0);
        if (batch.length > 0) {
          const sink = wrapper as unknown as TitleSink;
          return sink.newListr([...batch.map((i) => this.instanceTask(i)), this.waitForMore(row)], { concurrent: true, exitOnError: true });
        }
        if (row.sink !== undefined && row.startedAt !== undefined) {
          row.sink.title = `${row.name} (${formatDuration(this.now() - row.startedAt)})`;
        }
        // Failing the untitled task fails the step row, so a step with a failed instance shows red.
        if (row.failed) throw new Error(`${row.name} failed`);
        return undefined;
      },
    };
  }

  /** Finds or creates the instance row of an event and closes the steps its step depends on. */
  private touch(ref: StepInstanceRef, apply: (row: InstanceRow, step: StepRow) => void): void {
    // A sub-runbook's steps (`call/greet`) are drawn as sub-rows of the step that called it.
    const step = this.rows.get(ref.step) ?? this.rows.get(ref.step.split('/')[0] ?? '');
    if (step === undefined) return;
    let row = step.instances.get(ref.instance);
    if (row === undefined) {
      row = { ref, title: ref.instance === step.step ? step.name : label(ref), end: deferred() };
      step.instances.set(ref.instance, row);
      step.startedAt ??= this.now();
      if (ref.instance !== step.step) {
        step.queue.push(row);
        step.wake?.();
      }
      if (!step.first.settled) step.first.resolve(row);
      for (const need of step.needs) this.closeStep(need);
    }
    apply(row, step);
  }

  private closeStep(step: string): void {
    const row = this.rows.get(step);
    if (row === undefined || row.closed) return;
    row.closed = true;
    row.wake?.();
  }

  private finishAll(): void {
    for (const row of this.rows.values()) {
      if (!row.first.settled) row.first.resolve('not-run');
      for (const i of row.instances.values()) settle(i.end, { kind: 'skipped', reason: 'not finished' });
      this.closeStep(row.step);
    }
  }
}

/** A step-level instance is shown by the step's own row, under the step's name. */
function rowName(step: StepRow, row: InstanceRow): string {
  return row.ref.instance === step.step ? step.name : label(row.ref);
}

function retitle(row: InstanceRow, title: string): void {
  row.title = title;
  if (row.sink !== undefined) row.sink.title = title;
}

function endRow(sink: TitleSink, name: string, end: InstanceEnd): void {
  switch (end.kind) {
    case 'succeeded':
      sink.title = `${name} (${formatDuration(end.durationMs)})`;
      return;
    case 'failed':
      throw new Error(`${name}: ${end.error}${end.tolerated ? ' (tolerated)' : ''} (${formatDuration(end.durationMs)})`);
    case 'skipped':
      sink.skip(`${name} skipped (${end.reason}${end.detail === undefined ? '' : `: ${end.detail}`})`);
      return;
    default:
      assertNever(end);
  }
}

function settle<T>(d: Deferred<T>, value: T): void {
  if (!d.settled) d.resolve(value);
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve(value: T) {
      d.settled = true;
      resolve(value);
    },
  };
  return d;
}

function assertNever(x: never): never {
  throw new Error(`unhandled ${JSON.stringify(x)}`);
}
