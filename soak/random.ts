/** A seeded generator (mulberry32): the same seed gives the same trials, so a failure can be replayed. */
export type Random = () => number;

export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Trial `n` of a soak seeded with `seed`: its own stream, so that `--seed S --from N` replays it alone. */
export function trialRandom(seed: number, n: number): Random {
  return seeded(Math.imul(seed ^ 0x9e3779b9, 2654435761) + n * 7919);
}

export function pickOf<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pickOf: nothing to pick from');
  return item;
}

export function between(random: Random, low: number, high: number): number {
  return Math.floor(low + random() * (high - low + 1));
}

/** Whether cycle `n` of `kills + cuts` is a cut cycle: the `cuts` of them spread evenly among the kills. */
export function isCutCycle(n: number, kills: number, cuts: number): boolean {
  const total = kills + cuts;
  return Math.floor(((n + 1) * cuts) / total) > Math.floor((n * cuts) / total);
}
