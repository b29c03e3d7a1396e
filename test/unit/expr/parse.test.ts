import { describe, expect, test } from 'vitest';
import { checkSyntax, compile } from '../../../engine/expr/parse.js';

function failure(source: string) {
  const result = checkSyntax(source);
  if (result.ok) throw new Error(`expected ${source} to be rejected`);
  return result;
}

describe('checkSyntax', () => {
  test('accepts valid expressions over any context name', () => {
    for (const source of [
      'inputs.node',
      "steps.label.outputs.stdout == 'ok' && inputs.count > 2",
      'inventory.nodes.filter(n, n.role == "manager").map(n, n.name)',
      'has(inputs.labels.function) ? inputs.labels.function : "none"',
      'join(keys(inputs.labels), ",")',
      'orElse(inputs.x, 1)',
      'inputs.?x.orValue(1)',
      '[1, "mixed"]',
    ]) {
      expect(checkSyntax(source), source).toEqual({ ok: true });
    }
  });

  test('an expression ending too early points at its end', () => {
    const result = failure('inputs.x +');
    expect(result.offset).toBe(10);
    expect(result.message).toBe('inputs.x +: the expression ends too early: an operand, a closing bracket or a quote is missing');
  });

  test('an unexpected character points at it', () => {
    expect(failure('inputs.x $ 2').offset).toBe(9);
    expect(failure('a b').offset).toBe(2);
  });

  test('an unterminated string points at its quote', () => {
    expect(failure('inputs.x == "abc').offset).toBe(12);
  });

  test('reserved words are named', () => {
    expect(failure('if').message).toMatch(/"if" is a reserved word/);
  });

  test('unknown functions are rejected before anything runs', () => {
    const result = failure('inputs.x + lenght(inputs.y)');
    expect(result.message).toMatch(/unknown function "lenght"/);
    expect(result.offset).toBe(11);
    expect(failure('inputs.x.lenght()').message).toMatch(/unknown function "lenght"/);
  });

  test('operators on incompatible literals are rejected', () => {
    expect(failure('1 + "a"').message).toMatch(/no such overload: int \+ string/);
  });

  test('messages are one line, without the library highlight block', () => {
    expect(failure('inputs.x +').message).not.toMatch(/\n/);
  });

  test('the same source is parsed once', () => {
    const first = compile('inputs.cached + 1');
    expect(compile('inputs.cached + 1')).toBe(first);
    expect(compile('inputs.other + 1')).not.toBe(first);
  });
});
