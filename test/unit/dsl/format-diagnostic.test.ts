import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { diagnostic } from '../../../engine/dsl/diagnostics.js';
import { displayPath, formatDiagnostic } from '../../../engine/ui/diagnostics.js';

const file = join(process.cwd(), 'runbooks/x.yaml');
const d = diagnostic(
  'RB_UNKNOWN_NEEDS',
  { file, line: 3, col: 13 },
  'step "show" needs "labl", which is not a step id',
  'did you mean "label"?',
);

describe('formatDiagnostic', () => {
  test('one line without source text, path relative to cwd', () => {
    expect(formatDiagnostic(d)).toBe(
      'runbooks/x.yaml:3:13: error RB_UNKNOWN_NEEDS: step "show" needs "labl", which is not a step id; did you mean "label"?',
    );
  });

  test('the source line and a caret under the column', () => {
    const text = 'steps:\n  - id: show\n    needs: [labl]\n';
    expect(formatDiagnostic(d, text).split('\n').slice(1)).toEqual([' 3 |     needs: [labl]', '   |             ^']);
  });

  test('tabs before the column are kept so the caret lines up', () => {
    const text = 'a\nb\n\tneeds:\t[labl]\n';
    const at = diagnostic('RB_UNKNOWN_NEEDS', { file, line: 3, col: 9 }, 'x');
    expect(formatDiagnostic(at, text).split('\n')[2]).toBe('   | \t      \t^');
  });

  test('long lines are cut around the column', () => {
    const text = `${'x'.repeat(5000)}HERE${'y'.repeat(5000)}`;
    const at = diagnostic('RB_YAML_SYNTAX', { file, line: 1, col: 5001 }, 'x');
    const [, source, caret] = formatDiagnostic(at, text).split('\n');
    expect(source?.length).toBeLessThan(140);
    expect(source?.slice((caret?.length ?? 0) - 1, caret?.length ?? 0 + 3)).toBe('H');
  });

  test('paths outside cwd stay absolute; relative stay as given', () => {
    expect(displayPath('/elsewhere/x.yaml', '/work/main')).toBe('/elsewhere/x.yaml');
    expect(displayPath('/work/main/runbooks/x.yaml', '/work/main')).toBe('runbooks/x.yaml');
    expect(displayPath('<command line>', '/work/main')).toBe('<command line>');
  });

  test('a line past the end prints only the head', () => {
    expect(formatDiagnostic(d, 'one line')).toBe(formatDiagnostic(d));
  });
});
