/**
 * One call of an action, bounded by the step's timeout and the run's cancellation. The race makes
 * a timeout stick even when an action ignores its signal.
 */
import type { ActionContext, ActionDefinition, ActionResult } from '../actions/define.js';
import { fromMs } from '../dsl/duration.js';
import { RunbookError } from '../errors.js';

export async function callWithTimeout(
  action: ActionDefinition<Record<string, unknown>>,
  args: Record<string, unknown>,
  ctx: Omit<ActionContext, 'signal'>,
  runSignal: AbortSignal,
  timeoutMs: number | undefined,
  call: 'run' | 'check' | 'guard' = 'run',
): Promise<ActionResult> {
  const signals = [runSignal];
  if (timeoutMs !== undefined) signals.push(AbortSignal.timeout(timeoutMs));
  const signal = signals.length === 1 ? runSignal : AbortSignal.any(signals);
  const full: ActionContext = { ...ctx, signal };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      const timedOut = !runSignal.aborted;
      // Name the node, as SSH and Docker errors do: with `on: manager` the step id alone does not say where.
      const where = ctx.target.type === 'node' ? `${ctx.target.node.name}: ` : '';
      reject(
        timedOut
          ? new RunbookError('TIMEOUT', `${where}timed out after ${fromMs(timeoutMs ?? 0)}`, { retryable: true })
          : new RunbookError('ABORTED', 'interrupted'),
      );
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const work =
      call === 'run'
        ? action.run(args, full)
        : call === 'guard'
          ? (action.guard?.(args, full).then(() => ({})) ?? Promise.resolve({}))
          : (action.check?.(args, full).then((r) => ({ ...r })) ?? Promise.resolve({ satisfied: false }));
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}
