/**
 * Parsing with a process-wide cache: a 10,000-step runbook repeats the same few expressions, so each distinct
 * source is parsed and type-checked once.
 */
import type { ParseResult } from '@marcbachmann/cel-js';
import { environment } from './environment.js';
import { ExpressionError } from './errors.js';
import { toExpressionError } from './messages.js';

/** A parsed expression, or the reason it does not parse. */
export type Compiled =
  | { readonly ok: true; readonly program: ParseResult }
  | { readonly ok: false; readonly error: ExpressionError };

const cache = new Map<string, Compiled>();

/** Parses and statically checks `source` once; later calls return the same result. */
export function compile(source: string): Compiled {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const compiled = compileUncached(source);
  cache.set(source, compiled);
  return compiled;
}

function compileUncached(source: string): Compiled {
  let program: ParseResult;
  try {
    program = environment.parse(source);
  } catch (error) {
    return { ok: false, error: toExpressionError(error, source.trim()) };
  }
  // Every context root is dyn, so this only rejects what can never work: unknown functions, wrong argument
  // counts, `1 + "a"`.
  const checked = program.check();
  if (!checked.valid) return { ok: false, error: toExpressionError(checked.error, source.trim()) };
  return { ok: true, program };
}

/** The parsed program for `source`; throws ExpressionError when it does not parse. */
export function program(source: string): ParseResult {
  const compiled = compile(source);
  if (!compiled.ok) throw compiled.error;
  return compiled.program;
}

/**
 * Whether `source` (the text between `${{` and `}}`) is a valid expression. `offset` is 0-based in `source`.
 * Unknown functions and operators applied to incompatible literals count as errors here, not only grammar.
 */
export function checkSyntax(source: string): { ok: true } | { ok: false; message: string; offset?: number } {
  const compiled = compile(source);
  if (compiled.ok) return { ok: true };
  const { message, offset } = compiled.error;
  return offset === undefined ? { ok: false, message } : { ok: false, message, offset };
}
