/**
 * The order a run's steps start in: each as soon as its needs are done, as much parallelism as `needs`
 * allows; a failed need keeps its dependents from starting.
 */
import type { Step, StepId } from '../dsl/types.js';
import { describeError, RunbookError } from '../errors.js';
import { reportInternal } from '../internal-error.js';
import type { RunSession, StepOutcome } from './session.js';
import { runStep } from './step.js';

const BLOCKING: ReadonlySet<StepOutcome> = new Set(['failed', 'aborted', 'not-started']);

/** Starts every step once its needs are done; a failed need keeps its dependents from starting. */
export async function schedule(session: RunSession, order: readonly Step[]): Promise<StepOutcome[]> {
  const done = new Map<StepId, Promise<StepOutcome>>();
  for (const step of order) {
    const needs = step.needs.map((n) => done.get(n) as Promise<StepOutcome>);
    done.set(
      step.id,
      Promise.all(needs).then(async (outcomes) => {
        if (outcomes.some((o) => BLOCKING.has(o))) return 'not-started';
        try {
          return await runStep(session, step);
        } catch (e) {
          if (session.signal.aborted) return 'aborted';
          if (e instanceof RunbookError && (e.code === 'GATE_REFUSED' || e.code === 'GUARD_REFUSED')) {
            session.refusal ??= e;
          }
          session.stopped = true;
          session.emit({
            type: 'step.failed',
            step: session.prefix + step.id,
            instance: session.prefix + step.id,
            target: 'local',
            attempt: 0,
            durationMs: 0,
            error: e instanceof RunbookError ? describeError(e) : reportInternal(e, (t) => session.masker.mask(t), session.runDir),
            code: e instanceof RunbookError ? e.code : 'INTERNAL',
            details: e instanceof RunbookError ? e.details : [],
            tolerated: false,
          });
          return 'failed';
        }
      }),
    );
  }
  const outcomes = await Promise.all(done.values());
  if (outcomes.some((o) => o === 'failed' || o === 'not-started' || o === 'aborted')) session.stopped = true;
  return outcomes;
}

