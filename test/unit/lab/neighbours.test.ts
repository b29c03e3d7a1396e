/** The ARP table's limits a lab asks for: room for a swarm's N² neighbours, never lowered. */
import { describe, expect, it } from 'vitest';
import { entriesNeeded, limitsFor } from '../../../engine/lab/neighbours.js';

const DEFAULTS = { gcThresh2: 512, gcThresh3: 1024 };

describe('limitsFor', () => {
  it('leaves the defaults for a 5-node swarm and for 200 light nodes', () => {
    expect(limitsFor(DEFAULTS, 10, 5, false)).toEqual(DEFAULTS);
    expect(limitsFor(DEFAULTS, 10, 200, true)).toEqual(DEFAULTS);
  });

  it('raises them past the 1,024 default for a 50-node swarm, counting what is there', () => {
    expect(entriesNeeded(50, false)).toBe(5_200);
    expect(limitsFor(DEFAULTS, 300, 50, false)).toEqual({ gcThresh2: 5_500, gcThresh3: 11_000 });
  });

  it('never lowers a limit set higher by the host', () => {
    const high = { gcThresh2: 50_000, gcThresh3: 100_000 };
    expect(limitsFor(high, 0, 50, false)).toEqual(high);
    expect(limitsFor({ gcThresh2: 512, gcThresh3: 100_000 }, 0, 50, false)).toEqual({ gcThresh2: 5_200, gcThresh3: 100_000 });
  });
});
