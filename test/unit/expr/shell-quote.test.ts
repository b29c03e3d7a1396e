import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { interpolate } from '../../../engine/expr/interpolate.js';
import { posixQuote, shellQuote } from '../../../engine/expr/shell-quote.js';

const dir = mkdtempSync(join(tmpdir(), 'shell-quote-'));
const pwned = join(dir, 'pwned');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nasty = [
  `x; touch ${pwned}`,
  `$(touch ${pwned})`,
  `\`touch ${pwned}\``,
  `'; touch ${pwned}; echo '`,
  `"; touch ${pwned}; echo "`,
  `\\'; touch ${pwned}; echo \\'`,
  `a\nb\r\tc\vd\fe`,
  `line1\n$(touch ${pwned})\nline3`,
  `& touch ${pwned} &`,
  `| touch ${pwned}`,
  `> ${pwned}`,
  `$HOME \${PATH} $((1+1)) !! *`,
  `~root`,
  `{a,b}`,
  `é ✓ 日本語 🐳`,
  `back\\slash\\\\`,
  `trailing\\`,
  ` spaced  out `,
  `-rf`,
  `#comment`,
  `a=b`,
  `\u0001\u001b[31mred`,
];

/** Runs `printf %s <quoted>` through a real shell and returns what it printed. */
function roundTrip(shell: string, quoted: string): string {
  return execFileSync(shell, ['-c', `printf %s ${quoted}`], { encoding: 'utf8', stdio: 'pipe' });
}

describe('shellQuote', () => {
  test('safe words stay as they are, empty string is two quotes', () => {
    expect(shellQuote('dccn-c005')).toBe('dccn-c005');
    expect(shellQuote('/etc/docker/daemon.json')).toBe('/etc/docker/daemon.json');
    expect(shellQuote('node.labels.function==production')).toBe('node.labels.function==production');
    expect(shellQuote('user@10.0.0.1:22,a+b%c^d')).toBe('user@10.0.0.1:22,a+b%c^d');
    expect(shellQuote('')).toBe("''");
  });

  test('anything else is ANSI-C quoted like zx', () => {
    expect(shellQuote('x; touch /tmp/pwned')).toBe("$'x; touch /tmp/pwned'");
    expect(shellQuote("it's")).toBe("$'it\\'s'");
    expect(shellQuote('a\nb')).toBe("$'a\\nb'");
    expect(shellQuote('a\\b')).toBe("$'a\\\\b'");
  });

  test.each(nasty)('bash round-trips %j and runs nothing', (value) => {
    expect(roundTrip('bash', shellQuote(value))).toBe(value);
    expect(existsSync(pwned)).toBe(false);
  });

  test('interpolated into a command, the value stays one argument', () => {
    const command = interpolate('printf "<%s>" ${{ inputs.x }}', { inputs: { x: `a b; touch ${pwned}` } }, {
      quote: shellQuote,
    });
    expect(execFileSync('bash', ['-c', String(command)], { encoding: 'utf8' })).toBe(`<a b; touch ${pwned}>`);
    expect(existsSync(pwned)).toBe(false);
  });

  test('$-quoting is bash syntax: dash (Debian /bin/sh) reads it differently', () => {
    // Why shellQuote output must be run by bash, and posixQuote exists.
    const value = "it's";
    expect(roundTrip('bash', shellQuote(value))).toBe(value);
    expect(() => roundTrip('dash', shellQuote(value))).toThrow();
  });
});

describe('posixQuote', () => {
  test('single quotes, with embedded quotes closed and escaped', () => {
    expect(posixQuote('dccn-c005')).toBe('dccn-c005');
    expect(posixQuote('')).toBe("''");
    expect(posixQuote("it's")).toBe("'it'\\''s'");
  });

  test.each(nasty)('bash and dash round-trip %j and run nothing', (value) => {
    for (const shell of ['bash', 'dash']) {
      expect(roundTrip(shell, posixQuote(value))).toBe(value);
    }
    expect(existsSync(pwned)).toBe(false);
  });
});
