/**
 * Quoting values for a shell command line, so an input such as `x; touch /tmp/pwned` stays one argument.
 */

/** Words made only of these characters mean the same quoted or not. */
const SAFE_WORD = /^[A-Za-z0-9_/.:=@%^,+-]+$/;

/**
 * Bash ANSI-C quoting, the algorithm of zx's `quote`: safe words as they are, `''` for the empty string, else
 * `$'…'` with backslash, quote and control characters escaped — so newlines stay visible on one line.
 * `$'…'` is bash/zsh/ksh syntax: the command line must be run by bash (zx does; `/bin/sh` on Debian is dash,
 * which reads `$'…'` differently and is NOT safe). Use `posixQuote` for a command run by an unknown `sh`.
 */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (SAFE_WORD.test(value)) return value;
  return (
    "$'" +
    value
      .replace(/\\/g, '\\\\')
      .replace(/'/g, "\\'")
      .replace(/\f/g, '\\f')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t')
      .replace(/\v/g, '\\v')
      .replace(/\0/g, '\\0') +
    "'"
  );
}

/**
 * POSIX single quoting, safe in any `sh` (dash, busybox, bash): `'…'` with each `'` written as `'\''`.
 * Newlines and other bytes are kept literally inside the quotes.
 */
export function posixQuote(value: string): string {
  if (value === '') return "''";
  if (SAFE_WORD.test(value)) return value;
  return "'" + value.replace(/'/g, "'\\''") + "'";
}
