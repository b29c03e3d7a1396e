/**
 * Durations as written in runbooks: `500ms`, `30s`, `5m`, `1h`, `1h30m`. Units come largest first, each at most
 * once, so a duration reads the same way everywhere (`timeout`, `retry.delay`).
 */

/** The grammar `parseDuration` accepts; the runbook schema carries the same pattern (a test pins them together). */
export const DURATION_PATTERN = '^(?=\\d)(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?$';

const DURATION = new RegExp(DURATION_PATTERN);

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/** Milliseconds in `text`, or `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const [, h, m, s, ms] = match;
  const total =
    amount(h) * UNIT_MS.h + amount(m) * UNIT_MS.m + amount(s) * UNIT_MS.s + amount(ms) * UNIT_MS.ms;
  return Number.isSafeInteger(total) ? total : undefined;
}

function amount(part: string | undefined): number {
  return part === undefined ? 0 : Number.parseInt(part, 10);
}

const UNIT_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(ms|msecs?|millis(econds?)?|milliseconds?)$/, 'ms'],
  [/^(s|secs?|seconds?)$/, 's'],
  [/^(m|mins?|minutes?)$/, 'm'],
  [/^(h|hrs?|hours?)$/, 'h'],
];

/**
 * What to write instead of a value that is not a duration: `5 minutes` → `5m`, `30` → `30s`, `1.5h` → `90m`.
 * Undefined when nothing sensible can be guessed.
 */
export function suggestDuration(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return Number.isInteger(value) ? `${value}s` : fromMs(value * 1000);
  }
  if (typeof value !== 'string') return undefined;
  const words = value.trim().toLowerCase().match(/\d+(?:\.\d+)?|[a-z]+/g);
  if (words === null) return undefined;
  let total = 0;
  for (let i = 0; i < words.length; i += 2) {
    const count = Number(words[i]);
    const unit = words[i + 1] ?? 's';
    const symbol = UNIT_WORDS.find(([re]) => re.test(unit))?.[1];
    if (!Number.isFinite(count) || symbol === undefined) return undefined;
    total += count * UNIT_MS[symbol as keyof typeof UNIT_MS];
  }
  return fromMs(total);
}

/** Writes milliseconds in the duration grammar, largest units first. */
export function fromMs(ms: number): string {
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  return out;
}
