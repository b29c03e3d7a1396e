/**
 * "Already done?" probes: a step's own `check` (an expression or a read-only probe action), else the
 * action's built-in `check`. Probes are declared read-only, so plan mode runs them too.
 */
import type { ActionContext, ActionDefinition, CheckResult } from '../actions/define.js';
import type { Target } from '../io/ports.js';
import { resolveTargets } from '../plan/targets.js';
import { getAction } from '../actions/index.js';
import type { Step } from '../dsl/types.js';
import { describeError, RunbookError } from '../errors.js';
import { evaluate } from '../expr/evaluate.js';
import { interpolate } from '../expr/interpolate.js';
import { singleExpression } from '../expr/template.js';
import { callWithTimeout } from './attempt.js';
import type { ExprContext } from '../expr/evaluate.js';
import { located, locatedAsync, type Where } from '../plan/located.js';
import { truthy } from '../plan/plan-step.js';

/** A probe's own `on:` (one node): where the evidence is, which need not be where the step acts. */
async function probeTarget(on: unknown, exprContext: ExprContext, actionContext: Omit<ActionContext, 'signal'>): Promise<Target> {
  const wasExpression = typeof on === 'string' && singleExpression(on) !== undefined;
  const { targets } = await resolveTargets(interpolate(on, exprContext), wasExpression, actionContext.inventory, undefined);
  const first = targets[0];
  if (first === undefined || targets.length > 1) {
    throw new RunbookError('INVALID', `check: on: must name one node, not ${targets.length}`);
  }
  return first;
}

export async function runCheck(
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  args: Record<string, unknown>,
  exprContext: ExprContext,
  actionContext: Omit<ActionContext, 'signal'>,
  signal: AbortSignal,
  where: Where,
): Promise<CheckResult | undefined> {
  const check = step.check;
  if (check === undefined) {
    if (action.check === undefined) return undefined;
    const r = await callWithTimeout(action, args, actionContext, signal, step.timeoutMs, 'check');
    return { satisfied: r['satisfied'] === true, ...(typeof r['detail'] === 'string' ? { detail: r['detail'] } : {}) };
  }
  if (check.type === 'expression') {
    const source = singleExpression(check.expression) ?? check.expression;
    return { satisfied: truthy(located(where, ['check'], () => evaluate(source, exprContext))), detail: check.expression };
  }
  const probe = getAction(check.action);
  if (probe === undefined) throw new RunbookError('INVALID', `check: unknown action "${check.action}"`);
  const quote = actionContext.ports.shell.quote;
  const probeArgs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(check.with)) {
    probeArgs[k] = located(where, ['check', 'with', k], () => interpolate(v, exprContext, probe.shellFields?.includes(k) === true ? { quote } : {}));
  }
  const probeContext =
    check.on === undefined
      ? actionContext
      : { ...actionContext, target: await locatedAsync(where, ['check', 'on'], () => probeTarget(check.on, exprContext, actionContext)) };
  let result: Record<string, unknown>;
  try {
    result = { ...(await callWithTimeout(probe, probeArgs, probeContext, signal, step.timeoutMs)) };
  } catch (e) {
    if (e instanceof RunbookError && e.code === 'COMMAND_FAILED') return { satisfied: false, detail: describeError(e) };
    throw e;
  }
  if (check.satisfied === undefined) return { satisfied: true, detail: `probe ${check.action} succeeded` };
  const source = singleExpression(check.satisfied) ?? check.satisfied;
  return { satisfied: truthy(located(where, ['check', 'satisfied'], () => evaluate(source, { ...exprContext, result }))), detail: check.satisfied };
}
