/**
 * Polling live state until a condition holds, with a deadline. Transient failures while polling (a
 * daemon restarting, a leader election) are tolerated and reported only if the deadline passes.
 */
import { describeError, RunbookError } from '../../errors.js';
import type { ActionContext } from '../define.js';

const TRANSIENT = new Set(['UNREACHABLE', 'TIMEOUT', 'DOCKER_API']);

export interface PollOptions {
  /** What is awaited, for the timeout message: `node3 to be ready`. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * Calls `probe` until it returns `{ done: true }`. `state` of the last answer goes into the timeout
 * message so the operator sees where it got stuck.
 */
export async function pollUntil<T>(
  ctx: ActionContext,
  options: PollOptions,
  probe: () => Promise<{ readonly done: boolean; readonly value?: T; readonly state: string }>,
): Promise<T | undefined> {
  const start = ctx.ports.clock.now();
  const interval = options.intervalMs ?? 1_000;
  let last = 'no answer yet';
  for (;;) {
    try {
      const answer = await probe();
      if (answer.done) return answer.value;
      last = answer.state;
    } catch (e) {
      if (!(e instanceof RunbookError) || !TRANSIENT.has(e.code)) throw e;
      last = describeError(e);
    }
    if (ctx.ports.clock.now() - start >= options.timeoutMs) {
      throw new RunbookError('TIMEOUT', `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}; last seen: ${last}`, {
        retryable: true,
      });
    }
    await ctx.ports.clock.sleep(interval, ctx.signal);
  }
}
