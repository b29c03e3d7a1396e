/** The soak's randomness: a seed replays the same trials, and cut cycles are spread among the kills. */
import { describe, expect, it } from 'vitest';
import { between, isCutCycle, pickOf, trialRandom } from '../../../soak/random.js';

const cutsOf = (kills: number, cuts: number): number[] => [...Array(kills + cuts).keys()].filter((n) => isCutCycle(n, kills, cuts));

describe('soak randomness', () => {
  it('gives the same draws for the same seed and trial, and others for another trial', () => {
    const draws = (seed: number, n: number): number[] => {
      const r = trialRandom(seed, n);
      return [r(), r(), r()];
    };
    expect(draws(42, 7)).toEqual(draws(42, 7));
    expect(draws(42, 7)).not.toEqual(draws(42, 8));
    expect(draws(42, 7)).not.toEqual(draws(43, 7));
  });

  it('picks within bounds', () => {
    const r = trialRandom(1, 1);
    for (let i = 0; i < 1_000; i += 1) {
      const d = between(r, 0, 1_500);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(1_500);
      expect(['a', 'b', 'c']).toContain(pickOf(r, ['a', 'b', 'c']));
    }
  });

  it('spreads exactly `cuts` cut cycles among the kills', () => {
    expect(cutsOf(100, 10)).toEqual([10, 21, 32, 43, 54, 65, 76, 87, 98, 109]);
    expect(cutsOf(5, 1)).toEqual([5]);
    expect(cutsOf(3, 0)).toEqual([]);
    expect(cutsOf(0, 2)).toEqual([0, 1]);
  });
});
