/**
 * The CEL environment every runbook expression runs in: standard CEL (operators, `size`, `has`, string methods,
 * `map`/`filter`/`all`/`exists`/`exists_one`, `cel.bind`, optional chaining `a.?b.orValue(x)`) plus the
 * functions runbooks need and CEL lacks:
 *
 * - `join(list, string) → string`: `join(inventory.managers.map(n, n.name), ",")`. Elements that are not
 *   strings are rendered as in interpolation (numbers as digits, maps and lists as JSON, null as empty).
 * - `keys(map) → list<string>` and `values(map) → list`: in the map's insertion order,
 *   e.g. `keys(inputs.labels)`.
 * - `orElse(value, fallback)`: `value`, unless it is null or names a key, variable or list element that does not
 *   exist, in which case `fallback`: `orElse(inputs.labels.function, "production")`,
 *   `orElse(names.filter(n, n != leader)[0], "")`. Any other error in `value` (a type mismatch, division by
 *   zero) still fails, so a typo in an operator is not silently replaced.
 *
 * Every context root is `dyn`: names are checked against the runbook by the validator, not by CEL.
 */
import { Environment, EvaluationError } from '@marcbachmann/cel-js';
import { fromCel } from './convert.js';
import { renderText } from './render.js';

/** The AST node type cel-js hands to macro handlers; kept opaque here on purpose. */
type AstNode = object;

interface MacroChecker {
  check(node: AstNode, ctx: unknown): unknown;
  getType(name: string): unknown;
}

interface MacroEvaluator {
  run(node: AstNode, ctx: unknown): unknown;
  tryEval(node: AstNode, ctx: unknown): unknown;
}

/** cel-js error codes meaning "that value is not there", the cases `orElse` substitutes. */
const ABSENT_CODES: ReadonlySet<string> = new Set(['no_such_key', 'unknown_variable', 'index_out_of_bounds']);

function joinList(list: readonly unknown[], separator: string): string {
  return list.map((v) => renderText(fromCel(v, 'join()'))).join(separator);
}

function mapKeys(map: unknown): unknown[] {
  if (map instanceof Map) return [...map.keys()];
  return Object.keys(map as object);
}

function mapValues(map: unknown): unknown[] {
  if (map instanceof Map) return [...map.values()];
  return Object.values(map as object);
}

function orElseMacro({ args }: { args: readonly AstNode[] }): object {
  const [value, fallback] = args;
  return {
    async: false,
    typeCheck(checker: MacroChecker, _macro: unknown, ctx: unknown): unknown {
      if (value !== undefined) checker.check(value, ctx);
      if (fallback !== undefined) checker.check(fallback, ctx);
      return checker.getType('dyn');
    },
    evaluate(ev: MacroEvaluator, _macro: unknown, ctx: unknown): unknown {
      if (value === undefined || fallback === undefined) return null;
      const result = ev.tryEval(value, ctx);
      if (result instanceof EvaluationError) {
        if (ABSENT_CODES.has(result.code)) return ev.run(fallback, ctx);
        throw result;
      }
      if (result instanceof Error) throw result;
      return result === null ? ev.run(fallback, ctx) : result;
    },
  };
}

function createEnvironment(): Environment {
  return new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
  })
    .registerFunction('join(list, string): string', joinList)
    .registerFunction('keys(map): list', mapKeys)
    .registerFunction('values(map): list', mapValues)
    .registerFunction('orElse(ast, ast): dyn', orElseMacro);
}

/** The one environment: building it is expensive, and parsed programs belong to it. */
export const environment: Environment = createEnvironment();
