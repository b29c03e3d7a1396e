/**
 * Evaluating one expression against the run's context. Only the parts of the context the expression can reach
 * (found statically by `references`) are converted to CEL values, so evaluation cost follows the expression,
 * not the size of the inventory or of `steps`.
 */
import { fromCel, isPlainObject, toCel } from './convert.js';
import { toExpressionError } from './messages.js';
import { program } from './parse.js';
import { references, type Reference } from './references.js';

/**
 * The values expressions can read, by root name: `inputs`, `steps`, `item`, `inventory`, `run`, `env`,
 * `result`, `target`. Plain JS data; integers are CEL ints, other numbers doubles.
 */
export type ExprContext = Readonly<Record<string, unknown>>;

/**
 * Evaluates `source` (the text between `${{` and `}}`) and returns a plain JS value: CEL ints as `number`,
 * maps as objects, lists as arrays. Throws ExpressionError with a message naming the expression and an
 * `offset` into `source`, e.g. `inputs.labels.fn: no such key "fn"`.
 */
export function evaluate(source: string, context: ExprContext): unknown {
  const run = program(source);
  const celContext = project(references(source), context);
  let result: unknown;
  try {
    result = run(celContext);
  } catch (error) {
    throw toExpressionError(error, source.trim());
  }
  return fromCel(result, source.trim());
}

/** Which parts of a value are read: `whole` for the value itself, else only the named children. */
interface Need {
  whole: boolean;
  readonly children: Map<string, Need>;
}

function project(refs: readonly Reference[], context: ExprContext): Record<string, unknown> {
  const root: Need = { whole: false, children: new Map() };
  for (const ref of refs) {
    let need = root;
    for (const key of ref.path) {
      let child = need.children.get(key);
      if (child === undefined) {
        child = { whole: false, children: new Map() };
        need.children.set(key, child);
      }
      need = child;
    }
    need.whole = true;
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, need] of root.children) {
    if (!Object.hasOwn(context, name)) continue;
    const value = context[name];
    if (value !== undefined) out[name] = projectValue(value, need);
  }
  return out;
}

function projectValue(value: unknown, need: Need): unknown {
  if (need.whole || !isPlainObject(value) || Object.hasOwn(value, 'constructor')) return toCel(value);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, child] of need.children) {
    if (!Object.hasOwn(value, key)) continue;
    const v = value[key];
    if (v !== undefined) out[key] = projectValue(v, child);
  }
  return out;
}
