import { describe, expect, test } from 'vitest';
import { ExpressionError } from '../../../engine/expr/errors.js';
import type { ExprContext } from '../../../engine/expr/evaluate.js';
import { interpolate, renderText } from '../../../engine/expr/interpolate.js';
import type { Reference } from '../../../engine/expr/references.js';
import { shellQuote } from '../../../engine/expr/shell-quote.js';

const context: ExprContext = {
  inputs: {
    node: 'dccn-c005',
    count: 3,
    ratio: 0.5,
    force: true,
    labels: { function: 'production' },
    names: ['a', 'b'],
    nothing: null,
    evil: 'x; touch /tmp/pwned',
  },
  steps: { token: { outputs: { worker: 'SWMTKN-1-abc' } } },
};

function thrown(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('interpolate: single expressions keep their type', () => {
  test('number, boolean, list, map, null', () => {
    expect(interpolate('${{ inputs.count }}', context)).toBe(3);
    expect(interpolate('${{ inputs.ratio }}', context)).toBe(0.5);
    expect(interpolate('${{ inputs.force }}', context)).toBe(true);
    expect(interpolate('${{ inputs.names }}', context)).toEqual(['a', 'b']);
    expect(interpolate('${{ inputs.labels }}', context)).toEqual({ function: 'production' });
    expect(interpolate('${{ inputs.nothing }}', context)).toBeNull();
  });

  test('whitespace around the one expression is allowed', () => {
    expect(interpolate('  ${{ inputs.count }}\n', context)).toBe(3);
  });

  test('with quote set, strings are produced and quoted', () => {
    expect(interpolate('${{ inputs.count }}', context, { quote: shellQuote })).toBe('3');
    expect(interpolate('${{ inputs.evil }}', context, { quote: shellQuote })).toBe("$'x; touch /tmp/pwned'");
  });
});

describe('interpolate: mixed strings', () => {
  test('values are rendered as text', () => {
    expect(
      interpolate(
        'node=${{ inputs.node }} n=${{ inputs.count }} r=${{ inputs.ratio }} f=${{ inputs.force }} z=${{ inputs.nothing }}.',
        context,
      ),
    ).toBe('node=dccn-c005 n=3 r=0.5 f=true z=.');
  });

  test('lists and maps as JSON', () => {
    expect(interpolate('--labels ${{ inputs.labels }} --names ${{ inputs.names }}', context)).toBe(
      '--labels {"function":"production"} --names ["a","b"]',
    );
  });

  test('strings without ${{ are returned as they are', () => {
    expect(interpolate('echo $HOME {{ x }} ${y}', context)).toBe('echo $HOME {{ x }} ${y}');
  });

  test('quote applies to interpolated values only, not to literal text', () => {
    expect(interpolate('echo ${{ inputs.evil }}', context, { quote: shellQuote })).toBe(
      "echo $'x; touch /tmp/pwned'",
    );
    expect(interpolate('docker node update ${{ inputs.node }} && echo "done"', context, { quote: shellQuote })).toBe(
      'docker node update dccn-c005 && echo "done"',
    );
  });

  test('quote sees the rendered text', () => {
    const seen: string[] = [];
    interpolate('a ${{ inputs.labels }} ${{ inputs.count }} ${{ inputs.nothing }}', context, {
      quote: (v) => {
        seen.push(v);
        return v;
      },
    });
    expect(seen).toEqual(['{"function":"production"}', '3', '']);
  });
});

describe('interpolate: deep values', () => {
  test('arrays and plain objects are walked; keys are not interpolated; other values kept', () => {
    const value = {
      node: '${{ inputs.node }}',
      '${{ inputs.node }}': 'key stays',
      labels: '${{ inputs.labels }}',
      list: ['${{ inputs.count }}', 'n-${{ inputs.count }}', 7, false, null],
      nested: { deep: ['${{ inputs.force }}'] },
    };
    expect(interpolate(value, context)).toEqual({
      node: 'dccn-c005',
      '${{ inputs.node }}': 'key stays',
      labels: { function: 'production' },
      list: [3, 'n-3', 7, false, null],
      nested: { deep: [true] },
    });
  });

  test('the input value is not modified', () => {
    const value = { a: ['${{ inputs.count }}'] };
    interpolate(value, context);
    expect(value).toEqual({ a: ['${{ inputs.count }}'] });
  });
});

describe('interpolate: the unknown placeholder', () => {
  const unknown = (refs: readonly Reference[]): string | undefined => {
    const step = refs.find((r) => r.path[0] === 'steps');
    return step === undefined ? undefined : `<output of ${step.path[1] ?? '?'}>`;
  };

  test('replaces expressions that depend on run-time values, without evaluating them', () => {
    expect(
      // No `steps` in the context: evaluating the step expression would throw.
      interpolate('docker swarm join --token ${{ steps.token.outputs.worker }} ${{ inputs.node }}', {
        inputs: { node: 'x' },
      }, { unknown }),
    ).toBe('docker swarm join --token <output of token> x');
  });

  test('known expressions are still evaluated; placeholders are not quoted', () => {
    expect(
      interpolate('join ${{ steps.token.outputs.worker }} ${{ inputs.evil }}', context, { unknown, quote: shellQuote }),
    ).toBe("join <output of token> $'x; touch /tmp/pwned'");
  });

  test('a single unknown expression becomes the placeholder string', () => {
    expect(interpolate('${{ steps.missing.outputs.x }}', context, { unknown })).toBe('<output of missing>');
  });

  test('the callback receives the references of the expression', () => {
    const seen: (readonly string[])[] = [];
    interpolate('${{ steps.a.outputs.b == inputs.node }}', context, {
      unknown: (refs) => {
        seen.push(...refs.map((r) => r.path));
        return '<later>';
      },
    });
    expect(seen).toEqual([
      ['steps', 'a', 'outputs', 'b'],
      ['inputs', 'node'],
    ]);
  });
});

describe('interpolate: errors', () => {
  test('evaluation errors carry the offset in the whole string', () => {
    const text = 'echo ${{ inputs.labels.fn }}';
    const error = thrown(() => interpolate(text, context));
    expect(error.message).toBe('inputs.labels.fn: no such key "fn"');
    expect(error.offset).toBe(text.indexOf('fn'));
  });

  test('syntax errors carry the offset in the whole string', () => {
    const text = 'a ${{ inputs.count + }} b';
    const error = thrown(() => interpolate(text, context));
    expect(error.offset).toBe(text.indexOf('+') + 1);
  });

  test('template errors are ExpressionErrors with offsets', () => {
    expect(thrown(() => interpolate('x ${{ inputs.count', context)).offset).toBe(2);
    expect(thrown(() => interpolate('x ${{ }}', context)).offset).toBe(2);
  });

  test('errors deep in an object still throw', () => {
    expect(() => interpolate({ a: [{ b: '${{ nope.x }}' }] }, context)).toThrow(/unknown name "nope"/);
  });
});

describe('renderText', () => {
  test('each kind of value', () => {
    expect(renderText('s')).toBe('s');
    expect(renderText(3)).toBe('3');
    expect(renderText(2.5)).toBe('2.5');
    expect(renderText(false)).toBe('false');
    expect(renderText(null)).toBe('');
    expect(renderText(undefined)).toBe('');
    expect(renderText([1, 'a'])).toBe('[1,"a"]');
    expect(renderText({ a: { b: null } })).toBe('{"a":{"b":null}}');
  });
});

describe('performance', () => {
  test('10,000 step-like values interpolate well under a second', () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => ({
      command: `docker node update --label-add n=${i} \${{ inputs.node }}`,
      when: '${{ inputs.count > 2 && inputs.labels.function == "production" }}',
      plain: 'nothing to do here',
      list: ['--force', '${{ inputs.names }}'],
    }));
    const started = performance.now();
    for (const step of steps) interpolate(step, context, { quote: shellQuote });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
  });
});
