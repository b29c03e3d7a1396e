import { describe, expect, test } from 'vitest';
import { ExpressionError } from '../../../engine/expr/errors.js';
import { CONTEXT_ROOTS, references } from '../../../engine/expr/references.js';

const paths = (source: string) => references(source).map((r) => r.path);

describe('references', () => {
  test('root plus static member chain, with offsets of the root', () => {
    expect(references('steps.label.outputs.stdout == inputs.x')).toEqual([
      { path: ['steps', 'label', 'outputs', 'stdout'], offset: 0 },
      { path: ['inputs', 'x'], offset: 30 },
    ]);
  });

  test('string-literal index counts as member access, also mixed with dots', () => {
    expect(paths("steps['join-token'].outputs.token")).toEqual([['steps', 'join-token', 'outputs', 'token']]);
    expect(paths('inputs["a"]["b"]')).toEqual([['inputs', 'a', 'b']]);
  });

  test('optional access is member access', () => {
    expect(paths('inputs.?labels.orValue({})')).toEqual([['inputs', 'labels']]);
  });

  test('a computed index stops the chain; the index is analysed on its own', () => {
    expect(references('steps[inputs.step].outputs')).toEqual([
      { path: ['steps'], offset: 0 },
      { path: ['inputs', 'step'], offset: 6 },
    ]);
    expect(paths('inventory.nodes[0].name')).toEqual([['inventory', 'nodes']]);
  });

  test('comprehension variables are not references', () => {
    expect(paths('inventory.nodes.map(n, n.name)')).toEqual([['inventory', 'nodes']]);
    expect(paths('inventory.nodes.filter(n, n.role == inputs.role)')).toEqual([
      ['inventory', 'nodes'],
      ['inputs', 'role'],
    ]);
    expect(paths('inventory.nodes.exists(n, n.labels.x == "y") && inputs.list.all(v, v > 0)')).toEqual([
      ['inventory', 'nodes'],
      ['inputs', 'list'],
    ]);
    expect(paths('inputs.list.exists_one(x, x == item)')).toEqual([['inputs', 'list'], ['item']]);
    expect(paths('inputs.list.map(x, x > 1, x * 2)')).toEqual([['inputs', 'list']]);
  });

  test('a comprehension variable is bound only inside its macro', () => {
    expect(paths('inputs.list.map(n, n) + [n.name]')).toEqual([['inputs', 'list'], ['n', 'name']]);
  });

  test('nested comprehensions bind both variables', () => {
    expect(paths('inventory.nodes.map(n, inputs.names.filter(m, m == n.name))')).toEqual([
      ['inventory', 'nodes'],
      ['inputs', 'names'],
    ]);
  });

  test('cel.bind binds its variable in the body only', () => {
    expect(paths('cel.bind(t, steps.a.outputs, t.x + t.y)')).toEqual([['steps', 'a', 'outputs']]);
  });

  test('references inside calls, has(), lists, maps, ternaries and unary operators', () => {
    expect(
      paths('has(inputs.a) ? [size(inputs.b), {"k": run.id}] : [!env.FLAG && -target.labels.n > 0]'),
    ).toEqual([['inputs', 'a'], ['inputs', 'b'], ['run', 'id'], ['env', 'FLAG'], ['target', 'labels', 'n']]);
  });

  test('method receivers are references, method names are not', () => {
    expect(paths('inputs.name.startsWith(result.prefix)')).toEqual([['inputs', 'name'], ['result', 'prefix']]);
  });

  test('type names and literals are not references', () => {
    expect(paths('type(inputs.x) == int && 1 < 2 && "steps" != ""')).toEqual([['inputs', 'x']]);
  });

  test('unknown roots are reported too (the validator decides)', () => {
    expect(paths('input.node')).toEqual([['input', 'node']]);
    expect(CONTEXT_ROOTS).not.toContain('input');
  });

  test('the context roots', () => {
    expect([...CONTEXT_ROOTS].sort()).toEqual(
      ['env', 'inputs', 'inventory', 'item', 'result', 'run', 'steps', 'target'].sort(),
    );
  });

  test('callers cannot corrupt the cached result', () => {
    references('inputs.mutable').push({ path: ['x'], offset: 0 });
    expect(paths('inputs.mutable')).toEqual([['inputs', 'mutable']]);
  });

  test('invalid expressions throw ExpressionError', () => {
    expect(() => references('inputs.')).toThrow(ExpressionError);
  });
});
