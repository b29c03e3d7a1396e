/**
 * `max_failures` as a count or a share: the rounding at its boundaries, and what validation says about a
 * value that is neither, at the value's file:line:col.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadRunbook } from '../../../engine/index.js';
import { FAILURE_SHARE_PATTERN, parseFailureLimit, toleratedFailures } from '../../../engine/dsl/failure-limit.js';
import runbookSchema from '../../../engine/dsl/schema/runbook.schema.json' with { type: 'json' };

describe('parseFailureLimit', () => {
  test.each([
    [0, 0],
    [3, 3],
    ['0%', { percent: 0 }],
    ['7%', { percent: 7 }],
    ['25%', { percent: 25 }],
    ['100%', { percent: 100 }],
  ] as const)('%j → %j', (written, limit) => {
    expect(parseFailureLimit(written)).toEqual(limit);
  });

  test.each(['25', '120%', '101%', '-1%', 'abc%', '12.5%', '025%', ' 25%', '%', -1, 1.5])('refuses %j', (written) => {
    expect(parseFailureLimit(written)).toBeUndefined();
  });

  test('the schema accepts exactly the same shares', () => {
    expect(runbookSchema.definitions.failureLimit.pattern).toBe(FAILURE_SHARE_PATTERN);
  });
});

describe('toleratedFailures: floor(N × p / 100) of N instances', () => {
  test.each([
    // [limit, instances, tolerated]
    [2, 10, 2],
    [2, 1, 2],
    ['0%', 10, 0],
    ['100%', 10, 10],
    ['100%', 1, 1],
    ['25%', 8, 2],
    ['25%', 7, 1],
    ['25%', 3, 0],
    ['25%', 4, 1],
    ['30%', 10, 3],
    ['33%', 3, 0],
    ['34%', 3, 1],
    ['50%', 1, 0],
    ['99%', 100, 99],
    ['1%', 99, 0],
    ['1%', 100, 1],
    ['10%', 0, 0],
  ] as const)('%j of %d tolerates %d', (written, instances, tolerated) => {
    const limit = parseFailureLimit(written);
    expect(limit).toBeDefined();
    expect(toleratedFailures(limit ?? 0, instances)).toBe(tolerated);
  });

  test('matches "fail when more than p% failed" for every N up to 200 and every p', () => {
    for (let n = 1; n <= 200; n += 1) {
      for (let p = 0; p <= 100; p += 1) {
        const tolerated = toleratedFailures({ percent: p }, n);
        // Ansible's rule, in integers: failed × 100 > n × p fails the step.
        expect(tolerated * 100 <= n * p, `${p}% of ${n}`).toBe(true);
        expect((tolerated + 1) * 100 > n * p, `${p}% of ${n}`).toBe(true);
      }
    }
  });
});

function load(maxFailures: string): ReturnType<typeof loadRunbook> {
  const text = `name: demo\nsteps:\n  - id: fan\n    foreach: [a, b, c, d]\n    action: shell\n    with: { command: echo }\n    max_failures: ${maxFailures}\n`;
  return loadRunbook(join('/nowhere', 'demo.yaml'), { text });
}

describe('max_failures validation', () => {
  test.each([
    ['2', 2],
    ['0', 0],
    ['"25%"', { percent: 25 }],
    ['0%', { percent: 0 }],
    ['100%', { percent: 100 }],
  ] as const)('accepts %s', (written, limit) => {
    const r = load(written);
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.steps[0]?.maxFailures).toEqual(limit);
  });

  test.each([
    ['"25"', 'RB_BAD_VALUE', /write 25 for at most 25 failed instances, or "25%"/],
    ['"120%"', 'RB_BAD_VALUE', /up to "100%".*write "100%" or less/],
    ['"-1%"', 'RB_BAD_VALUE', /"0%" to "100%"/],
    ['"abc%"', 'RB_BAD_VALUE', /"0%" to "100%"/],
    ['12.5%', 'RB_BAD_VALUE', /whole percentage, e\.g\. "12%"/],
    ['-1', 'RB_BAD_VALUE', /a whole number ≥ 0, e\.g\. 2/],
    ['2.5', 'RB_WRONG_TYPE', /e\.g\. 2, or a share like "25%"/],
    ['true', 'RB_WRONG_TYPE', /a count of failed instances/],
  ])('refuses %s at its value with what to write instead', (written, code, hint) => {
    const r = load(written);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const [d] = r.diagnostics;
    expect(d?.code).toBe(code);
    expect(d?.source).toMatchObject({ file: join('/nowhere', 'demo.yaml'), line: 7, col: 19 });
    expect(d?.message).toContain('step "fan": max_failures');
    expect(d?.hint).toMatch(hint);
  });
});

describe('the table of shares in docs/dsl.md', () => {
  test('says what toleratedFailures computes', () => {
    const text = readFileSync(fileURLToPath(new URL('../../../docs/dsl.md', import.meta.url)), 'utf8');
    const section = text.slice(text.indexOf('### max_failures'));
    const [head, , ...rows] = section.split('\n').filter((l) => l.startsWith('| ')).slice(0, 7);
    const shares = (head ?? '').split('|').slice(2, -1).map((c) => /"(\d+)%"/.exec(c)?.[1]);
    expect(shares).toEqual(['25', '33', '34', '50']);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const [n, ...tolerated] = row.split('|').slice(1, -1).map((c) => Number(c.trim()));
      expect(tolerated, row).toEqual(shares.map((p) => toleratedFailures({ percent: Number(p) }, n ?? 0)));
    }
  });
});
