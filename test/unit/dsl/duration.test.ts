import { describe, expect, test } from 'vitest';
import { fromMs, parseDuration, suggestDuration } from '../../../engine/dsl/duration.js';
import runbookSchema from '../../../engine/dsl/schema/runbook.schema.json' with { type: 'json' };
import { DURATION_PATTERN } from '../../../engine/dsl/duration.js';

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m5s', 125_000],
    ['1s250ms', 1_250],
    ['0s', 0],
    [' 10s ', 10_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '5', '5 minutes', '1.5s', '30m1h', '5d', 'ms', '-5s', '1h1h', '99999999999999999999h'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  test('the schema accepts exactly the same grammar', () => {
    expect(runbookSchema.definitions.duration.pattern).toBe(DURATION_PATTERN);
  });
});

describe('suggestDuration', () => {
  test.each([
    ['5 minutes', '5m'],
    ['30 seconds', '30s'],
    ['1 hour 30 mins', '1h30m'],
    [30, '30s'],
    [1.5, '1s500ms'],
    ['2 fortnights', undefined],
    [true, undefined],
  ])('%j → %j', (value, expected) => {
    expect(suggestDuration(value)).toBe(expected);
  });

  test('fromMs writes largest units first', () => {
    expect(fromMs(3_723_004)).toBe('1h2m3s4ms');
    expect(fromMs(0)).toBe('0s');
  });
});
