/**
 * Replacing `${{ … }}` in runbook values. Strings without `${{` are returned untouched at the cost of one
 * `includes`, which keeps planning a 10,000-step runbook cheap.
 */
import { isPlainObject } from './convert.js';
import { ExpressionError } from './errors.js';
import { evaluate, type ExprContext } from './evaluate.js';
import { references, type Reference } from './references.js';
import { renderText } from './render.js';
import { splitTemplate, type TemplatePart } from './template.js';

export { renderText } from './render.js';

/** How `interpolate` renders values; both hooks are optional. */
export interface InterpolateOptions {
  /** Applied to every interpolated value (not to literal text): shell quoting for command fields. */
  readonly quote?: (value: string) => string;
  /**
   * Plan mode: returns a placeholder such as `<output of join-token>` when the expression depends on a value not
   * known until run time (return undefined when it can be evaluated). When a placeholder is returned the
   * expression is not evaluated and the placeholder text is used unquoted.
   */
  readonly unknown?: (refs: readonly Reference[]) => string | undefined;
}

/**
 * Evaluates every `${{ }}` in `value`, deep over arrays and plain objects (keys are left alone).
 * A string that is exactly one `${{ }}` keeps the value's type (number, boolean, list, map) unless `quote` is
 * set; in mixed strings each value is rendered with `renderText` and then quoted. Throws ExpressionError with
 * the offset of the problem in the string.
 */
export function interpolate(value: unknown, context: ExprContext, options: InterpolateOptions = {}): unknown {
  if (typeof value === 'string') return interpolateString(value, context, options);
  if (Array.isArray(value)) return value.map((v: unknown, i) => below(i, () => interpolate(v, context, options)));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, below(k, () => interpolate(v, context, options))]));
  }
  return value;
}

/** Errors in a nested value say where in it they are. */
function below<T>(key: string | number, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw error instanceof ExpressionError ? error.under(key) : error;
  }
}

function interpolateString(text: string, context: ExprContext, options: InterpolateOptions): unknown {
  if (!text.includes('${{')) return text;
  const split = splitTemplate(text);
  if ('error' in split) throw new ExpressionError(split.error.message, { offset: split.error.offset });
  const { parts } = split;
  const only = soleExpression(parts);
  if (only !== undefined && options.quote === undefined) {
    const placeholder = placeholderFor(only, options);
    return placeholder ?? evaluateAt(only, context);
  }
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const placeholder = placeholderFor(part, options);
    if (placeholder !== undefined) {
      out += placeholder;
      continue;
    }
    const rendered = renderText(evaluateAt(part, context));
    out += options.quote === undefined ? rendered : options.quote(rendered);
  }
  return out;
}

type ExprPart = Extract<TemplatePart, { kind: 'expr' }>;

/** The expression when the parts are one expression with at most whitespace around it. */
function soleExpression(parts: readonly TemplatePart[]): ExprPart | undefined {
  let found: ExprPart | undefined;
  for (const part of parts) {
    if (part.kind === 'text') {
      if (part.text.trim() !== '') return undefined;
    } else if (found === undefined) {
      found = part;
    } else {
      return undefined;
    }
  }
  return found;
}

function placeholderFor(part: ExprPart, options: InterpolateOptions): string | undefined {
  const { unknown } = options;
  if (unknown === undefined) return undefined;
  return inString(part, () => unknown(references(part.source)));
}

function evaluateAt(part: ExprPart, context: ExprContext): unknown {
  return inString(part, () => evaluate(part.source, context));
}

/** Errors point into the whole string, not into the expression. */
function inString<T>(part: ExprPart, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ExpressionError) {
      throw new ExpressionError(error.message, { offset: part.offset + (error.offset ?? 0), cause: error.cause });
    }
    throw error;
  }
}
