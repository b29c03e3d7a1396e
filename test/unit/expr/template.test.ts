import { describe, expect, test } from 'vitest';
import { hasExpression, singleExpression, splitTemplate } from '../../../engine/expr/template.js';

function parts(text: string) {
  const result = splitTemplate(text);
  if ('error' in result) throw new Error(`unexpected error: ${result.error.message}`);
  return result.parts;
}

function error(text: string) {
  const result = splitTemplate(text);
  if (!('error' in result)) throw new Error('expected an error');
  return result.error;
}

describe('splitTemplate', () => {
  test('plain text is one text part', () => {
    expect(parts('echo hello')).toEqual([{ kind: 'text', text: 'echo hello' }]);
  });

  test('empty string has no parts', () => {
    expect(parts('')).toEqual([]);
  });

  test('text and expressions alternate, sources trimmed, offsets point at the source', () => {
    const text = 'Label ${{ inputs.node }} with ${{inputs.labels}}?';
    const result = parts(text);
    expect(result).toEqual([
      { kind: 'text', text: 'Label ' },
      { kind: 'expr', source: 'inputs.node', offset: 10 },
      { kind: 'text', text: ' with ' },
      { kind: 'expr', source: 'inputs.labels', offset: 33 },
      { kind: 'text', text: '?' },
    ]);
    for (const part of result) {
      if (part.kind === 'expr') expect(text.slice(part.offset, part.offset + part.source.length)).toBe(part.source);
    }
  });

  test('adjacent expressions produce no empty text between them', () => {
    expect(parts('${{a}}${{ b }}')).toEqual([
      { kind: 'expr', source: 'a', offset: 3 },
      { kind: 'expr', source: 'b', offset: 10 },
    ]);
  });

  test('braces of map literals do not close the expression', () => {
    expect(parts('${{ {"a": {"b": 1}} }}!')).toEqual([
      { kind: 'expr', source: '{"a": {"b": 1}}', offset: 4 },
      { kind: 'text', text: '!' },
    ]);
  });

  test('}} inside string literals does not close the expression', () => {
    expect(parts(`x=\${{ inputs.a == "}}" || inputs.b == '}}' }}`)).toEqual([
      { kind: 'text', text: 'x=' },
      { kind: 'expr', source: `inputs.a == "}}" || inputs.b == '}}'`, offset: 6 },
    ]);
  });

  test('escaped quotes and triple-quoted strings are skipped whole', () => {
    expect(parts('${{ "a\\"}}" + """x "}}" y""" }}')).toEqual([
      { kind: 'expr', source: '"a\\"}}" + """x "}}" y"""', offset: 4 },
    ]);
  });

  test('raw strings do not treat backslash as an escape', () => {
    expect(parts('${{ r"\\" }}tail')).toEqual([
      { kind: 'expr', source: 'r"\\"', offset: 4 },
      { kind: 'text', text: 'tail' },
    ]);
  });

  test('a third closing brace stays as text', () => {
    expect(parts('${{ x }}}')).toEqual([
      { kind: 'expr', source: 'x', offset: 4 },
      { kind: 'text', text: '}' },
    ]);
  });

  test('unterminated ${{ is an error at the opening', () => {
    const e = error('echo ok ${{ inputs.x ');
    expect(e.offset).toBe(8);
    expect(e.message).toMatch(/unterminated/);
  });

  test('an unterminated string inside an expression points at its quote', () => {
    expect(error('${{ "abc }}').offset).toBe(4);
  });

  test('empty ${{ }} is an error at the opening', () => {
    const e = error('a ${{   }} b');
    expect(e.offset).toBe(2);
    expect(e.message).toMatch(/empty/);
  });

  test('a later error is found after a good expression', () => {
    expect(error('${{ a }} and ${{}}').offset).toBe(13);
  });
});

describe('hasExpression', () => {
  test('detects the opening marker only', () => {
    expect(hasExpression('echo ${{ x }}')).toBe(true);
    expect(hasExpression('echo ${x} {{ y }} $')).toBe(false);
  });
});

describe('singleExpression', () => {
  test('returns the source for exactly one expression, whitespace allowed around it', () => {
    expect(singleExpression('${{ inputs.labels }}')).toBe('inputs.labels');
    expect(singleExpression('  ${{inputs.count}}\n')).toBe('inputs.count');
  });

  test('returns undefined for mixed, multiple, plain or broken strings', () => {
    expect(singleExpression('x ${{ a }}')).toBeUndefined();
    expect(singleExpression('${{ a }}${{ b }}')).toBeUndefined();
    expect(singleExpression('${{ a }} ${{ b }}')).toBeUndefined();
    expect(singleExpression('plain')).toBeUndefined();
    expect(singleExpression('${{ a }')).toBeUndefined();
  });
});
