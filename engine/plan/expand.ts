/**
 * A step becomes instances: one per foreach element and per target. Instance ids are stable across
 * resumes: `id`, `id[key]`, `id@node`, `id[key]@node` — a step with a single target is not suffixed,
 * because `on: manager` may pick another live manager when the run resumes.
 */
import type { ActionDescriptor } from '../dsl/action-descriptor.js';
import type { Target } from '../io/ports.js';
import type { Step } from '../dsl/types.js';
import { RunbookError } from '../errors.js';
import { evaluate } from '../expr/evaluate.js';
import { interpolate, type InterpolateOptions } from '../expr/interpolate.js';
import { references } from '../expr/references.js';
import { singleExpression } from '../expr/template.js';
import { resolveTargets, targetName, type LiveManagerResolver } from './targets.js';
import type { Inventory } from '../inventory/types.js';
import { instanceContext, type BaseContext } from './context.js';
import { failureAt, located, type Where } from './located.js';

export interface Instance {
  readonly id: string;
  readonly key?: string;
  readonly item?: unknown;
  readonly target: Target;
  /** Where its outputs appear in `steps.<id>.outputs` of a multi-instance step: key, node, or `key@node`. */
  readonly outputKey: string;
}

export interface Expansion {
  readonly instances: readonly Instance[];
  /** Outputs are keyed by instance key when true. */
  readonly multi: boolean;
  /** Set in plan mode when the list of instances depends on run-time values. */
  readonly deferred?: string;
}

function keyOf(element: unknown, index: number): string {
  if (typeof element === 'string' || typeof element === 'number' || typeof element === 'boolean') return String(element);
  if (element !== null && typeof element === 'object') {
    for (const field of ['name', 'id', 'key'] as const) {
      const v = (element as Record<string, unknown>)[field];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
  }
  return String(index);
}

function uniqueKeys(elements: readonly unknown[]): { key: string; item: unknown }[] {
  const used = new Set<string>();
  return elements.map((item, i) => {
    let key = keyOf(item, i);
    if (used.has(key)) key = `${key}#${i}`;
    used.add(key);
    return { key, item };
  });
}

function foreachItems(
  step: Step,
  base: BaseContext,
  options: InterpolateOptions,
  where: Where,
): { key: string; item: unknown }[] | { deferred: string } {
  const spec = step.foreach;
  if (Array.isArray(spec)) {
    return uniqueKeys(located(where, ['foreach'], () => interpolate(spec, instanceContext(base, {}), options) as unknown[]));
  }
  const source = typeof spec === 'string' ? singleExpression(spec) : undefined;
  if (source === undefined) {
    throw new RunbookError('INVALID', `step "${step.id}": foreach must be a list or a single \${{ }} expression`);
  }
  const placeholder = options.unknown?.(references(source));
  if (placeholder !== undefined) return { deferred: `one instance per element of ${placeholder}` };
  const value = located(where, ['foreach'], () => evaluate(source, instanceContext(base, {})));
  if (Array.isArray(value)) return uniqueKeys(value);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).map(([key, v]) => ({ key, item: { key, value: v } }));
  }
  throw new RunbookError('STEP_FAILED', `step "${step.id}": foreach gave ${JSON.stringify(value)}, not a list`);
}

export async function instancesOf(
  step: Step,
  action: ActionDescriptor<Record<string, unknown>>,
  base: BaseContext,
  inventory: Inventory | undefined,
  live: LiveManagerResolver | undefined,
  where: Where,
  options: InterpolateOptions = {},
): Promise<Expansion> {
  const onSpec = step.on ?? action.defaultTarget;
  const wasExpression = typeof onSpec === 'string' && singleExpression(onSpec) !== undefined;
  const onSource = typeof onSpec === 'string' ? singleExpression(onSpec) : undefined;
  const onPlaceholder = onSource === undefined ? undefined : options.unknown?.(references(onSource));
  if (onPlaceholder !== undefined) {
    return {
      instances: [{ id: step.id, target: { type: 'local' }, outputKey: '*' }],
      multi: true,
      deferred: `targets from ${onPlaceholder}`,
    };
  }
  const on = located(where, ['on'], () => interpolate(onSpec, instanceContext(base, {}), options));
  const { targets, multi: multiTarget } = await resolveTargets(on, wasExpression, inventory, live).catch((e: unknown) => {
    // An `on:` that names no node or group of this inventory is the data's problem: say where it is written.
    throw e instanceof RunbookError && e.code === 'INVALID' ? failureAt(where, ['on'], e.message, 0, 'RB_UNKNOWN_TARGET') : e;
  });
  const suffix = (t: Target): string => (multiTarget ? `@${targetName(t)}` : '');
  const items = step.foreach === undefined ? undefined : foreachItems(step, base, options, where);
  if (items !== undefined && 'deferred' in items) {
    return {
      instances: targets.map((target) => ({ id: `${step.id}[*]${suffix(target)}`, target, outputKey: '*' })),
      multi: true,
      deferred: items.deferred,
    };
  }
  const instances: Instance[] = [];
  if (items === undefined) {
    for (const target of targets) {
      instances.push({ id: `${step.id}${suffix(target)}`, target, outputKey: targetName(target) });
    }
  } else {
    for (const { key, item } of items) {
      for (const target of targets) {
        const outputKey = multiTarget ? `${key}@${targetName(target)}` : key;
        instances.push({ id: `${step.id}[${key}]${suffix(target)}`, key, item, target, outputKey });
      }
    }
  }
  return { instances, multi: multiTarget || items !== undefined };
}
