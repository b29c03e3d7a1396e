/**
 * From a step as written to what its action gets and gives: `with` interpolated (shell fields
 * quoted, late fields left for the action), outputs computed from the result, and which of them
 * are secret. Shared by run and plan, so a plan shows exactly what a run would do.
 */
import type { ActionDescriptor } from '../dsl/action-descriptor.js';
import type { Step } from '../dsl/types.js';
import { ExpressionError } from '../expr/errors.js';
import { evaluate } from '../expr/evaluate.js';
import { interpolate, type InterpolateOptions } from '../expr/interpolate.js';
import { singleExpression } from '../expr/template.js';
import { located, type Where } from './located.js';

export function expressionValue(text: string, ctx: Record<string, unknown>): unknown {
  return evaluate(singleExpression(text) ?? text, ctx);
}

/** `with` values interpolated; fields that hold shell command lines get their values quoted. */
export function interpolateWith(
  step: Step,
  action: ActionDescriptor<Record<string, unknown>>,
  ctx: Record<string, unknown>,
  options: InterpolateOptions & { quote: (s: string) => string },
): Record<string, unknown> {
  const { quote, ...rest } = options;
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step.with)) {
    if (action.lateFields?.includes(k) === true) {
      args[k] = v;
      continue;
    }
    try {
      args[k] = interpolate(v, ctx, action.shellFields?.includes(k) === true ? { ...rest, quote } : rest);
    } catch (e) {
      throw e instanceof ExpressionError ? e.under(k) : e;
    }
  }
  return args;
}

export function outputsOf(step: Step, result: Readonly<Record<string, unknown>>, ctx: Record<string, unknown>, where: Where): Record<string, unknown> {
  const outputs: Record<string, unknown> = { ...result };
  for (const [name, expression] of Object.entries(step.outputs)) {
    outputs[name] = located(where, ['outputs', name], () => expressionValue(expression, { ...ctx, result }));
  }
  return outputs;
}

/** The step's `secret_outputs` and the outputs its action always treats as secret. */
export function secretNames(step: Step, action: ActionDescriptor<Record<string, unknown>>): readonly string[] {
  return action.secretOutputs === undefined ? step.secretOutputs : [...new Set([...step.secretOutputs, ...action.secretOutputs])];
}
