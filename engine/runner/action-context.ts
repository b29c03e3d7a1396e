/**
 * The context an action instance gets, the same for a run and for a plan but for the mode, the ports
 * and where its log lines go: late fields it evaluates itself fail at the step's `file:line:col`.
 */
import { dirname } from 'node:path';
import type { ActionContext } from '../actions/define.js';
import { getAction } from '../actions/index.js';
import type { Step } from '../dsl/types.js';
import { evaluate, type ExprContext } from '../expr/evaluate.js';
import { interpolate } from '../expr/interpolate.js';
import { singleExpression } from '../expr/template.js';
import type { Inventory } from '../inventory/types.js';
import type { Ports, Target } from '../io/ports.js';
import { fieldHolding, located, type Where } from '../plan/located.js';
import type { Unknowns } from '../plan/plan-step.js';

export interface ContextInput {
  readonly mode: ActionContext['mode'];
  readonly step: Step;
  readonly where: Where;
  readonly target: Target;
  /** The instance's expression context: what its late fields may read. */
  readonly context: ExprContext;
  readonly ports: Ports;
  readonly runDir: string;
  readonly inventory: Inventory | undefined;
  readonly log: ActionContext['log'];
  readonly unknown?: Unknowns;
}

export function actionContext(input: ContextInput): Omit<ActionContext, 'signal'> {
  const { step, where, context } = input;
  const unknown = input.unknown === undefined ? {} : { unknown: input.unknown };
  return {
    mode: input.mode,
    action: getAction,
    target: input.target,
    ports: input.ports,
    runDir: input.runDir,
    baseDir: dirname(where.runbook.file),
    allowQuorumLoss: step.allowQuorumLoss,
    evaluate: (expression, extra) =>
      located(where, fieldHolding(step, expression), () => evaluate(singleExpression(expression) ?? expression, { ...context, ...extra })),
    interpolate: (value, options) =>
      located(where, fieldHolding(step, value), () =>
        interpolate(value, options?.extra === undefined ? context : { ...context, ...options.extra }, options?.shell === true ? { ...unknown, quote: input.ports.shell.quote } : unknown),
      ),
    ...(input.inventory === undefined ? {} : { inventory: input.inventory }),
    log: input.log,
  };
}
