import { describe, expect, test } from 'vitest';
import { ExpressionError } from '../../../engine/expr/errors.js';
import { evaluate, type ExprContext } from '../../../engine/expr/evaluate.js';

const context: ExprContext = {
  inputs: {
    node: 'dccn-c005',
    count: 3,
    ratio: 0.5,
    whole: 3.0,
    force: false,
    labels: { function: 'production', tier: 2 },
    names: ['a', 'b', 'c'],
    nothing: null,
    absent: undefined,
  },
  steps: {
    label: { outputs: { stdout: 'ok\n', code: 0 } },
    probe: { outputs: { 'node-1': { ready: true }, 'node-2': { ready: false } } },
  },
  inventory: {
    cluster: 'dccn',
    nodes: [
      { name: 'dccn-c001', address: '10.0.0.1', role: 'manager', labels: { function: 'production' } },
      { name: 'dccn-c005', address: '10.0.0.5', role: 'worker', labels: {} },
    ],
  },
  run: { id: '20240101-abc', dir: '/state/runs/20240101-abc' },
  target: { name: 'local' },
};

function failure(source: string, ctx: ExprContext = context): ExpressionError {
  try {
    evaluate(source, ctx);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw new Error(`expected ExpressionError, got ${String(error)}`);
  }
  throw new Error(`expected ${source} to fail`);
}

describe('evaluate: values in and out', () => {
  test('strings, booleans, null', () => {
    expect(evaluate('inputs.node', context)).toBe('dccn-c005');
    expect(evaluate('inputs.force', context)).toBe(false);
    expect(evaluate('inputs.nothing', context)).toBeNull();
    expect(evaluate('inputs.node + "-x"', context)).toBe('dccn-c005-x');
  });

  test('integers from the context are CEL ints and come back as numbers', () => {
    expect(evaluate('inputs.count + 1', context)).toBe(4);
    expect(evaluate('inputs.count * 2 == 6', context)).toBe(true);
    expect(evaluate('inputs.count / 2', context)).toBe(1);
    expect(evaluate('type(inputs.count) == int', context)).toBe(true);
  });

  test('doubles stay doubles', () => {
    expect(evaluate('inputs.ratio * 4.0', context)).toBe(2);
    expect(evaluate('type(inputs.ratio) == double', context)).toBe(true);
    expect(evaluate('inputs.ratio', context)).toBe(0.5);
  });

  test('int and double compare', () => {
    expect(evaluate('inputs.count == 3', context)).toBe(true);
    expect(evaluate('inputs.count == 3.0', context)).toBe(true);
    expect(evaluate('inputs.whole == 3', context)).toBe(true);
    expect(evaluate('inputs.ratio < 1', context)).toBe(true);
    expect(evaluate('inputs.count > 2.5', context)).toBe(true);
  });

  test('maps come back as plain objects, lists as arrays, deeply', () => {
    const labels = evaluate('inputs.labels', context);
    expect(labels).toEqual({ function: 'production', tier: 2 });
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(evaluate('inventory.nodes', context)).toEqual((context['inventory'] as { nodes: unknown }).nodes);
    expect(evaluate('[1, "a", [2.5], {"k": null}]', context)).toEqual([1, 'a', [2.5], { k: null }]);
    expect(evaluate('{1: "one"}', context)).toEqual({ 1: 'one' });
  });

  test('undefined properties are absent', () => {
    expect(evaluate('has(inputs.absent)', context)).toBe(false);
    expect(evaluate('"absent" in inputs', context)).toBe(false);
    expect(Object.keys(evaluate('inputs', context) as object)).not.toContain('absent');
  });

  test('steps outputs, bracket access and foreach instance maps', () => {
    expect(evaluate('steps.label.outputs.stdout.trim() == "ok"', context)).toBe(true);
    expect(evaluate("steps['label'].outputs.code", context)).toBe(0);
    expect(evaluate('steps.probe.outputs["node-1"].ready', context)).toBe(true);
    expect(evaluate('keys(steps.probe.outputs).filter(k, steps.probe.outputs[k].ready)', context)).toEqual([
      'node-1',
    ]);
  });

  test('macros over inventory', () => {
    expect(evaluate('inventory.nodes.filter(n, n.role == "manager").map(n, n.name)', context)).toEqual([
      'dccn-c001',
    ]);
    expect(evaluate('inventory.nodes.exists(n, n.name == inputs.node)', context)).toBe(true);
    expect(evaluate('inventory.nodes.all(n, has(n.labels.function))', context)).toBe(false);
    expect(evaluate('size(inventory.nodes)', context)).toBe(2);
  });

  test('a computed index reads the whole root', () => {
    expect(evaluate('steps[inputs.names[0] == "a" ? "label" : "probe"].outputs.code', context)).toBe(0);
    expect(evaluate('inventory.nodes[1].address', context)).toBe('10.0.0.5');
  });

  test('ints outside the safe JS range cannot leave the expression', () => {
    expect(evaluate('9007199254740991', context)).toBe(9007199254740991);
    expect(failure('9007199254740992').message).toMatch(/too large/);
  });

  test('class instances read as their text, sets as lists', () => {
    class Hidden {
      toString(): string {
        return '***';
      }
    }
    expect(evaluate('inputs.token', { inputs: { token: new Hidden() } })).toBe('***');
    expect(evaluate('size(inputs.set)', { inputs: { set: new Set([1, 2]) } })).toBe(2);
  });

  test('the context is not modified', () => {
    const ctx = { inputs: { count: 3, list: [1, 2] } };
    evaluate('inputs.list.map(x, x + inputs.count)', ctx);
    expect(ctx).toEqual({ inputs: { count: 3, list: [1, 2] } });
    expect(typeof ctx.inputs.count).toBe('number');
  });
});

describe('evaluate: runbook functions', () => {
  test('join', () => {
    expect(evaluate('join(inputs.names, ",")', context)).toBe('a,b,c');
    expect(evaluate('join(inventory.nodes.map(n, n.address), " ")', context)).toBe('10.0.0.1 10.0.0.5');
    expect(evaluate('join([1, 2.5, true, null], "-")', context)).toBe('1-2.5-true-');
    expect(evaluate('join([], ",")', context)).toBe('');
  });

  test('keys and values keep insertion order', () => {
    expect(evaluate('keys(inputs.labels)', context)).toEqual(['function', 'tier']);
    expect(evaluate('values(inputs.labels)', context)).toEqual(['production', 2]);
    expect(evaluate('keys({})', context)).toEqual([]);
  });

  test('orElse substitutes missing keys, unknown names and null', () => {
    expect(evaluate('orElse(inputs.labels.zone, "default")', context)).toBe('default');
    expect(evaluate('orElse(inputs.labels.function, "default")', context)).toBe('production');
    expect(evaluate('orElse(inputs.nothing, 7)', context)).toBe(7);
    expect(evaluate('orElse(item.name, "none")', context)).toBe('none');
    expect(evaluate('orElse(inputs.force, true)', context)).toBe(false);
  });

  test('orElse substitutes a list element that is not there', () => {
    expect(evaluate('orElse([].map(n, n)[0], "")', context)).toBe('');
    expect(evaluate('orElse(["a", "b"].filter(n, n != "a")[0], "")', context)).toBe('b');
    expect(evaluate('orElse(["a"][3], "none")', context)).toBe('none');
  });

  test('orElse does not hide other errors', () => {
    expect(failure('orElse(1 / 0, 1)').message).toMatch(/division by zero/);
    expect(failure('orElse(inputs.node + 1, "x")').message).toMatch(/no such overload/);
  });

  test('optional chaining works too', () => {
    expect(evaluate('inputs.labels.?zone.orValue("z")', context)).toBe('z');
  });
});

describe('evaluate: errors', () => {
  test('missing key names the expression and the key, with the offset of the key', () => {
    const error = failure('inputs.labels.fn');
    expect(error.message).toBe('inputs.labels.fn: no such key "fn"');
    expect(error.offset).toBe(14);
    expect(error.message).not.toContain('\n');
  });

  test('missing key through brackets and in steps', () => {
    expect(failure("steps['nope'].outputs").message).toBe(`steps['nope'].outputs: no such key "nope"`);
    expect(failure('steps.label.outputs.missing').message).toMatch(/no such key "missing"/);
  });

  test('inherited object members are not keys', () => {
    expect(failure('inputs.toString').message).toMatch(/no such key "toString"/);
    expect(failure('inputs.labels.constructor').message).toMatch(/no such key "constructor"/);
    expect(failure('inputs.__proto__').message).toMatch(/__proto__/);
  });

  test('a context key named constructor still works', () => {
    expect(evaluate('inputs.m.constructor + 1', { inputs: { m: { constructor: 1 } } })).toBe(2);
    expect(evaluate('inputs.m', { inputs: { m: { constructor: 'x' } } })).toEqual({ constructor: 'x' });
  });

  test('unknown root names say so, and where item and result exist', () => {
    expect(failure('inptus.node').message).toBe('inptus.node: unknown name "inptus"');
    expect(failure('item.name').message).toMatch(/only in a step with `foreach`/);
    expect(failure('result.stdout').message).toMatch(/outputs:/);
  });

  test('type mismatch', () => {
    const error = failure('inputs.node + 1');
    expect(error.message).toMatch(/^inputs\.node \+ 1: no such overload: string \+ int/);
  });

  test('mixing ints and doubles in arithmetic gets a hint', () => {
    expect(failure('inputs.ratio + 1').message).toMatch(/double\(…\) or int\(…\)/);
  });

  test('division by zero', () => {
    expect(failure('inputs.count / (inputs.count - 3)').message).toBe(
      'inputs.count / (inputs.count - 3): division by zero',
    );
  });

  test('syntax errors throw ExpressionError with an offset', () => {
    const error = failure('inputs.count +');
    expect(error.offset).toBe(14);
    expect(error.message).toMatch(/ends too early/);
  });

  test('the same expression works against different contexts and types', () => {
    expect(evaluate('inputs.v + inputs.v', { inputs: { v: 2 } })).toBe(4);
    expect(evaluate('inputs.v + inputs.v', { inputs: { v: 'ab' } })).toBe('abab');
    expect(evaluate('inputs.v + inputs.v', { inputs: { v: [1] } })).toEqual([1, 1]);
  });
});
