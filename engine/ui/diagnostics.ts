/**
 * Prints a diagnostic the way compilers do, so editors and terminals can jump to it:
 *
 *     runbooks/x.yaml:12:14: error RB_UNKNOWN_NEEDS: step "show" needs "labl", which is not a step id; did you mean "label"?
 *        12 |     needs: [labl]
 *           |             ^
 */
import type { Diagnostic } from '../dsl/diagnostics.js';
import { describeDiagnostic, displayPath } from '../dsl/locate.js';

export { displayPath };

/** Longest slice of a source line shown; long lines are cut around the column. */
const MAX_SHOWN = 120;

/** `file:line:col: severity CODE: message; hint`, then the source line and a caret when `sourceText` is given. */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const { line, col } = d.source;
  const head = describeDiagnostic(d);
  if (sourceText === undefined) return head;
  const text = sourceLine(sourceText, line);
  if (text === undefined) return head;
  const { shown, caretAt } = window(text, col - 1);
  const gutter = String(line);
  const pad = ' '.repeat(gutter.length);
  // Tabs are kept under the caret so it lines up however the terminal expands them.
  const lead = shown.slice(0, caretAt).replace(/[^\t]/g, ' ');
  return `${head}\n ${gutter} | ${shown}\n ${pad} | ${lead}^`;
}


function sourceLine(text: string, line: number): string | undefined {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

function window(text: string, index: number): { shown: string; caretAt: number } {
  const at = Math.max(0, Math.min(index, text.length));
  if (text.length <= MAX_SHOWN) return { shown: text, caretAt: at };
  const from = Math.max(0, Math.min(at - MAX_SHOWN / 2, text.length - MAX_SHOWN));
  const cut = text.slice(from, from + MAX_SHOWN);
  const prefix = from > 0 ? '…' : '';
  const suffix = from + MAX_SHOWN < text.length ? '…' : '';
  return { shown: `${prefix}${cut}${suffix}`, caretAt: at - from + prefix.length };
}
