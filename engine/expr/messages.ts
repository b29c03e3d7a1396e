/**
 * cel-js errors rewritten for an operator: `inputs.labels.fn: no such key "fn"` instead of a multi-line
 * highlight block and internal type names such as `dyn<double>`.
 */
import { EvaluationError, ParseError, TypeError as CelTypeError } from '@marcbachmann/cel-js';
import { environment } from './environment.js';
import { ExpressionError } from './errors.js';

/** Roots that exist only in some places; naming where saves a trip to the docs. */
const SCOPED_ROOTS: Readonly<Record<string, string>> = {
  item: '`item` exists only in a step with `foreach`',
  result: '`result` exists only in `outputs:` and `check.satisfied`',
};

let functionNames: ReadonlySet<string> | undefined;

function isKnownFunction(name: string): boolean {
  functionNames ??= new Set(environment.getDefinitions().functions.map((f) => f.name));
  return functionNames.has(name);
}

/** Turns anything thrown while parsing or evaluating `source` into an ExpressionError. */
export function toExpressionError(error: unknown, source: string): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof ParseError || error instanceof EvaluationError || error instanceof CelTypeError) {
    const offset = error.range?.start;
    const message = `${source}: ${describe(error.code, error.summary)}`;
    // No `cause`: cel-js errors hold the whole annotated AST, which would flood any log that prints causes.
    return offset === undefined ? new ExpressionError(message) : new ExpressionError(message, { offset });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ExpressionError(`${source}: ${text}`, { cause: error });
}

function describe(code: string, summary: string): string {
  const detail = summary.replace(/^[^:]*:\s*/, '');
  switch (code) {
    case 'no_such_key':
      return `no such key "${detail}"`;
    case 'index_out_of_bounds':
      return outOfBounds(summary);
    case 'unknown_variable': {
      const scope = SCOPED_ROOTS[detail];
      return scope === undefined ? `unknown name "${detail}"` : `unknown name "${detail}": ${scope}`;
    }
    case 'reserved_identifier':
      return `"${detail}" is a reserved word in expressions`;
    case 'unexpected_token':
      return detail === 'EOF' ? 'the expression ends too early: an operand, a closing bracket or a quote is missing' : lowerFirst(summary);
    case 'no_matching_overload': {
      const name = /'(?:[^'(]*\.)?([A-Za-z_][\w]*)\(/.exec(summary)?.[1];
      if (name !== undefined && !isKnownFunction(name)) return `unknown function "${name}"`;
      return withNumberHint(lowerFirst(cleanTypes(summary)));
    }
    case 'no_such_overload':
      return withNumberHint(lowerFirst(cleanTypes(summary)));
    default:
      return lowerFirst(cleanTypes(summary));
  }
}

/** cel-js says `index 0 >= size undefined` of an empty list: say what an operator can act on. */
function outOfBounds(summary: string): string {
  const m = /index (-?\d+) (?:< 0|>= size (\S+))/.exec(summary);
  if (m === null) return lowerFirst(summary);
  const size = Number(m[2]);
  if (!Number.isFinite(size) || size === 0) return `the list is empty, so it has no element [${m[1]}]: nothing matched`;
  return `the list has ${size} element${size === 1 ? '' : 's'}, so it has no element [${m[1]}]`;
}

/** `dyn<double>` is how cel-js names a runtime double; operators only care about the inner type. */
function cleanTypes(text: string): string {
  return text.replace(/dyn<([^<>]+)>/g, '$1');
}

function withNumberHint(text: string): string {
  if (/\bint\b/.test(text) && /\bdouble\b/.test(text)) {
    return `${text} (ints and doubles do not mix in arithmetic: convert one side with double(…) or int(…))`;
  }
  return text;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
