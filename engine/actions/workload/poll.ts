/**
 * Polling with a deadline. The step's timeout aborts `ctx.signal`; an action's own `timeout` ends the
 * wait with a message that says what was still missing, which an aborted signal cannot.
 */
import { RunbookError } from '../../errors.js';
import { DURATION_PATTERN, parseDuration } from '../../dsl/duration.js';
import type { ActionContext } from '../define.js';

/** What one look found: done, or not yet and why. */
export type Observation<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly waiting: string };

export interface PollOptions {
  /** What is being waited for, e.g. `service web converged`. */
  readonly what: string;
  readonly intervalMs: number;
  /** Undefined: until the step's timeout or an interruption. */
  readonly timeoutMs?: number;
}

export async function pollUntil<T>(ctx: ActionContext, options: PollOptions, look: () => Promise<Observation<T>>): Promise<T> {
  const clock = ctx.ports.clock;
  const deadline = options.timeoutMs === undefined ? undefined : clock.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const seen = await look();
    if (seen.done) return seen.value;
    if (seen.waiting !== last) ctx.log('info', `waiting: ${seen.waiting}`);
    last = seen.waiting;
    if (deadline !== undefined && clock.now() + options.intervalMs > deadline) {
      throw new RunbookError('TIMEOUT', `${options.what}: not reached within ${options.timeoutMs} ms; last seen: ${seen.waiting}`, {
        retryable: true,
      });
    }
    await clock.sleep(options.intervalMs, ctx.signal);
  }
}

/** A `with` duration in milliseconds; `fallback` when absent. Schemas check the format first. */
export function durationMs(text: string | undefined, fallback: number): number;
export function durationMs(text: string | undefined, fallback?: number): number | undefined;
export function durationMs(text: string | undefined, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new RunbookError('INVALID', `"${text}" is not a duration; write e.g. 30s, 5m or 1h`);
  return ms;
}

/** JSON Schema of a duration field. */
export function durationSchema(description: string): Record<string, unknown> {
  return { type: 'string', pattern: DURATION_PATTERN, description };
}
