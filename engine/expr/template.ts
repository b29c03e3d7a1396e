/**
 * Splitting YAML strings into literal text and `${{ … }}` expressions. The scanner knows CEL string literals
 * and braces, so `${{ {"a": {"b": 1}} }}` and `${{ x == "}}" }}` end where the expression ends, not at the
 * first `}}`.
 */

/** One piece of a string: literal text, or the source of one expression with its offset in the string. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'expr'; readonly source: string; readonly offset: number };

/** Why a string could not be split, with the 0-based offset of the offending `${{` or quote. */
export interface TemplateError {
  readonly message: string;
  readonly offset: number;
}

const OPEN = '${{';

/** True when the string holds at least one `${{` (it may still be malformed). */
export function hasExpression(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * Splits `text` on `${{ … }}`. Expression sources are trimmed; `offset` points at the first character of the
 * trimmed source, so an offset inside the expression plus `offset` is a position in `text`.
 */
export function splitTemplate(text: string): { parts: TemplatePart[] } | { error: TemplateError } {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(OPEN, i);
    if (open < 0) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    const bodyStart = open + OPEN.length;
    const end = findClose(text, bodyStart);
    if ('error' in end) return { error: { message: end.error, offset: end.offset ?? open } };
    const body = text.slice(bodyStart, end.close);
    const source = body.trim();
    if (source === '') {
      return { error: { message: 'empty expression `${{ }}`: write an expression between the braces', offset: open } };
    }
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push({ kind: 'expr', source, offset: bodyStart + body.indexOf(source) });
    i = end.close + 2;
  }
  if (literal !== '') parts.push({ kind: 'text', text: literal });
  return { parts };
}

/**
 * The expression source when `text` is exactly one `${{ … }}` (whitespace around it allowed): such a string
 * keeps the type of its value instead of becoming text.
 */
export function singleExpression(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith(OPEN) || !trimmed.endsWith('}}')) return undefined;
  const split = splitTemplate(trimmed);
  if ('error' in split || split.parts.length !== 1) return undefined;
  const [part] = split.parts;
  return part?.kind === 'expr' ? part.source : undefined;
}

type CloseResult = { close: number } | { error: string; offset?: number };

/** Finds the `}}` that closes an expression whose body starts at `from`. */
function findClose(text: string, from: number): CloseResult {
  let depth = 0;
  let j = from;
  while (j < text.length) {
    const c = text[j];
    if (c === '"' || c === "'") {
      const end = skipString(text, j);
      if (end < 0) return { error: 'unterminated string literal inside `${{ … }}`', offset: j };
      j = end;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && text[j + 1] === '}') return { close: j };
      if (depth > 0) depth--;
    }
    j++;
  }
  return { error: 'unterminated `${{`: expected `}}` to close the expression' };
}

/** Returns the index just past the CEL string literal starting at `start`, or -1 when it never ends. */
function skipString(text: string, start: number): number {
  const quote = text[start] ?? '';
  const raw = isRawPrefix(text, start);
  const triple = text.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let j = start + delimiter.length;
  while (j < text.length) {
    if (!raw && text[j] === '\\') {
      j += 2;
      continue;
    }
    if (text.startsWith(delimiter, j)) return j + delimiter.length;
    if (!triple && text[j] === '\n') return -1;
    j++;
  }
  return -1;
}

/** CEL raw strings are prefixed `r`, `R`, `br`, `rb` …: backslashes in them do not escape. */
function isRawPrefix(text: string, quoteAt: number): boolean {
  let k = quoteAt;
  let raw = false;
  while (k > 0 && quoteAt - k < 2 && /[rRbB]/.test(text[k - 1] ?? '')) {
    k--;
    if (text[k] === 'r' || text[k] === 'R') raw = true;
  }
  if (k > 0 && /[\w]/.test(text[k - 1] ?? '')) return false;
  return raw;
}
