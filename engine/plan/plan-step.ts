/**
 * The planner: one step, its `when`, its gate's question and its instances (targets × foreach), each
 * with the exact `with` its action gets. The same code path serves `plan`, which asks for placeholders
 * where values are only known at run time (`<output of join-token>`), and the runner, which has every
 * value and expands each step as the outputs it reads arrive.
 */
import type { ActionDescriptor } from '../dsl/action-descriptor.js';
import type { Step } from '../dsl/types.js';
import type { ExprContext } from '../expr/evaluate.js';
import { evaluate } from '../expr/evaluate.js';
import { interpolate, type InterpolateOptions } from '../expr/interpolate.js';
import { references, type Reference } from '../expr/references.js';
import { singleExpression } from '../expr/template.js';
import { outsideLimit, type Limit } from '../inventory/limit.js';
import type { Inventory } from '../inventory/types.js';
import { instanceContext, type BaseContext } from './context.js';
import { instancesOf, type Instance } from './expand.js';
import { ExpressionFailure, located, type Where } from './located.js';
import type { LiveManagerResolver } from './targets.js';
import { interpolateWith } from './with.js';

/** Returns a placeholder for an expression whose references are unknown yet; undefined when it can be evaluated. */
export type Unknowns = (refs: readonly Reference[]) => string | undefined;

/** Plan mode: outputs of steps not read yet are unknown (those of quick reads the plan made are known). */
export function unknownOutputs(base: BaseContext): Unknowns {
  return (refs) => {
    const ref = refs.find((r) => r.path[0] === 'steps' && base.steps[r.path[1] ?? ''] === undefined);
    return ref === undefined ? undefined : `<output of ${ref.path[1] ?? '?'}>`;
  };
}

export interface StepInput {
  readonly base: BaseContext;
  readonly inventory: Inventory | undefined;
  /** `on: manager` and `on: leader` from live state. */
  readonly live: LiveManagerResolver | undefined;
  readonly where: Where;
  /** Shell quoting for the values interpolated into command fields. */
  readonly quote: (value: string) => string;
  /** Plan mode: what is unknown until run time becomes a placeholder. A run knows everything it reads. */
  readonly unknown?: Unknowns;
  /** Expand a step whose `when` is false too, to show what it would have done. */
  readonly expandSkipped?: boolean;
  /** `--limit`: instances on or about other nodes are marked `outside`. */
  readonly limit?: Limit;
}

export type WhenValue = 'true' | 'false' | 'decided at run time';

/** One instance with its expression context and `with`, or why `with` could not be interpolated. */
export interface InstancePlan {
  readonly instance: Instance;
  readonly context: ExprContext;
  readonly args: { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly problem: ExpressionFailure };
  /** Why `--limit` leaves it out (`node2 is outside --limit all:!node2`): it runs on or acts on (`with.node`) another node; it is skipped. */
  readonly outside?: string;
}

export interface StepPlan {
  readonly when?: WhenValue;
  /** The gate's question, interpolated. */
  readonly confirm?: string;
  readonly instances: readonly InstancePlan[];
  /** Outputs are keyed by instance key. */
  readonly multi: boolean;
  /** Set in plan mode when the instances depend on run-time values. */
  readonly deferred?: string;
  /** A step skipped by its `when` that could not be expanded to show it: why (it cannot stop the run). */
  readonly unexpanded?: ExpressionFailure;
}

function whenOf(step: Step, context: ExprContext, where: Where, unknown: Unknowns | undefined): WhenValue | undefined {
  if (step.when === undefined) return undefined;
  const source = singleExpression(step.when) ?? step.when;
  if (unknown?.(references(source)) !== undefined) return 'decided at run time';
  const value = located(where, ['when'], () => evaluate(source, context));
  return truthy(value) ? 'true' : 'false';
}

/** What `when` and `check` expressions count as true: empty lists and maps, 0, '' and 'false' do not. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return value !== false && value !== null && value !== undefined && value !== 0 && value !== '' && value !== 'false';
}

export async function planStep(step: Step, action: ActionDescriptor<Record<string, unknown>>, input: StepInput): Promise<StepPlan> {
  const when = whenOf(step, instanceContext(input.base, {}), input.where, input.unknown);
  if (when !== 'false') return expand(step, action, input, when);
  if (input.expandSkipped !== true) return { when, instances: [], multi: false };
  try {
    return await expand(step, action, input, when);
  } catch (e) {
    if (!(e instanceof ExpressionFailure)) throw e;
    return { when, instances: [], multi: false, unexpanded: e };
  }
}

async function expand(step: Step, action: ActionDescriptor<Record<string, unknown>>, input: StepInput, when: WhenValue | undefined): Promise<StepPlan> {
  const { base, where, unknown } = input;
  const stepContext = instanceContext(base, {});
  const options: InterpolateOptions = unknown === undefined ? {} : { unknown };
  const question = step.confirm;
  const confirm = question === undefined ? undefined : String(located(where, ['confirm'], () => interpolate(question, stepContext, options)));
  const expansion = await instancesOf(step, action, base, input.inventory, input.live, where, options);
  // A foreach over run-time values is one row standing for every element: `item` is unknown there too.
  const unknownHere: InterpolateOptions =
    expansion.deferred === undefined
      ? options
      : { unknown: (refs) => (refs.some((r) => r.path[0] === 'item') ? '<each element>' : unknown?.(refs)) };
  const instances = expansion.instances.map((instance): InstancePlan => {
    const context = instanceContext(base, { item: instance.item, target: instance.target });
    const on = instance.target.type === 'node' ? instance.target.node.name : undefined;
    try {
      const value = located(where, ['with'], () => interpolateWith(step, action, context, { ...unknownHere, quote: input.quote }));
      const about = typeof value['node'] === 'string' ? value['node'] : undefined;
      return withOutside({ instance, context, args: { ok: true, value } }, outsideLimit(input.limit, input.inventory, [on, about]), input.limit);
    } catch (e) {
      if (!(e instanceof ExpressionFailure)) throw e;
      return withOutside({ instance, context, args: { ok: false, problem: e } }, outsideLimit(input.limit, input.inventory, [on]), input.limit);
    }
  });
  return {
    ...(when === undefined ? {} : { when }),
    ...(confirm === undefined ? {} : { confirm }),
    instances,
    multi: expansion.multi,
    ...(expansion.deferred === undefined ? {} : { deferred: expansion.deferred }),
  };
}

function withOutside(plan: InstancePlan, node: string | undefined, limit: Limit | undefined): InstancePlan {
  return node === undefined || limit === undefined ? plan : { ...plan, outside: `${node} is outside --limit ${limit.pattern}` };
}
