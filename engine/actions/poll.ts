/**
 * Waiting for live state, for every action that waits: poll with a deadline, say what is still
 * missing when it passes, and optionally ride out failures expected while things restart (a daemon
 * coming back, a leader election). The step's timeout aborts `ctx.signal` on top of this.
 */
import { DURATION_PATTERN, fromMs, parseDuration } from '../dsl/duration.js';
import { describeError, RunbookError, type RunbookErrorCode } from '../errors.js';
import type { ActionContext } from './define.js';

/** What one look found: done, or not yet and why. */
export type Observation<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly waiting: string };

export interface PollOptions {
  /** What is being waited for, for messages: `node3 to be ready`. */
  readonly what: string;
  /** Default 1 s. */
  readonly intervalMs?: number;
  /** Undefined: until the step's timeout or an interruption. */
  readonly timeoutMs?: number;
  /** Error codes that mean "not yet" rather than failure while polling. */
  readonly tolerate?: ReadonlySet<RunbookErrorCode>;
}

/** Failures a Docker API poll sees while a daemon restarts or a leader is elected. */
export const DOCKER_TRANSIENT: ReadonlySet<RunbookErrorCode> = new Set(['UNREACHABLE', 'TIMEOUT', 'DOCKER_API']);

export async function pollUntil<T>(ctx: ActionContext, options: PollOptions, look: () => Promise<Observation<T>>): Promise<T> {
  const clock = ctx.ports.clock;
  const interval = options.intervalMs ?? 1_000;
  const deadline = options.timeoutMs === undefined ? undefined : clock.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    let waiting: string;
    try {
      const seen = await look();
      if (seen.done) return seen.value;
      waiting = seen.waiting;
    } catch (e) {
      if (!(e instanceof RunbookError) || options.tolerate?.has(e.code) !== true || ctx.signal.aborted) throw e;
      waiting = describeError(e);
    }
    if (waiting !== last) ctx.log('info', `waiting: ${waiting}`);
    last = waiting;
    if (deadline !== undefined && clock.now() + interval > deadline) {
      throw new RunbookError('TIMEOUT', `timed out after ${fromMs(options.timeoutMs ?? 0)} waiting for ${options.what}; last seen: ${waiting}`, {
        retryable: true,
      });
    }
    await clock.sleep(interval, ctx.signal);
  }
}


/** A `with` duration in milliseconds; `fallback` when absent. Schemas check the format first. */
export function durationMs(text: string | undefined, fallback: number, field?: string): number;
export function durationMs(text: string | undefined, fallback?: number, field?: string): number | undefined;
export function durationMs(text: string | undefined, fallback?: number, field = 'timeout'): number | undefined {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new RunbookError('INVALID', `${field}: "${text}" is not a duration; write e.g. 30s, 5m or 1h`);
  return ms;
}

/** JSON Schema of a duration field. */
export function durationSchema(description: string): Record<string, unknown> {
  return { type: 'string', pattern: DURATION_PATTERN, description };
}
