/**
 * Group commit for a journal: items are buffered synchronously and `flush()` writes everything
 * buffered with one durable commit; callers arriving while a commit runs share the next one. The
 * first failure is kept: every later flush rejects with it, so no work follows an unrecorded event.
 */
import { performance } from 'node:perf_hooks';
import type { JournalStats } from './run-store.js';

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommit<T> {
  readonly stats: JournalStats = { records: 0, fsyncs: 0, fsyncMs: 0 };
  private pending: T[] = [];
  private appended = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private committing = false;
  private failure: Error | undefined;

  /**
   * @param commit makes a batch durable, in order; what it throws is passed through `fail` once
   */
  constructor(
    private readonly commit: (batch: readonly T[]) => Promise<void>,
    private readonly fail: (e: unknown) => Error,
  ) {}

  get failed(): Error | undefined {
    return this.failure;
  }

  push(item: T): void {
    this.pending.push(item);
    this.appended += 1;
    this.stats.records += 1;
  }

  /** Resolves once every item pushed so far is durable. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const upTo = this.appended;
    if (upTo <= this.durable) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    if (!this.committing) {
      this.committing = true;
      // Start on a later microtask so a burst of synchronous flush() calls shares one commit.
      queueMicrotask(() => void this.run());
    }
    return done;
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        const upTo = this.appended;
        this.pending = [];
        const started = performance.now();
        await this.commit(batch);
        this.stats.fsyncMs += performance.now() - started;
        this.stats.fsyncs += 1;
        this.durable = upTo;
        this.settle((w) => w.upTo <= upTo, (w) => w.resolve());
      }
    } catch (e) {
      const failure = (this.failure = this.fail(e));
      this.settle(() => true, (w) => w.reject(failure));
    } finally {
      this.committing = false;
    }
  }

  private settle(match: (w: Waiter) => boolean, act: (w: Waiter) => void): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (match(w)) act(w);
      else keep.push(w);
    }
    this.waiters = keep;
  }
}
