/**
 * The pool's gate on connection set-ups: at most `limit` inside at once, the rest admitted in order as
 * others leave, a waiter that is aborted leaves the queue, and leaving twice frees one slot only.
 */
import { describe, expect, test } from 'vitest';
import { ConnectGate } from '../../../engine/io/ssh/connect-gate.js';

const never = new AbortController().signal;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ConnectGate', () => {
  test('admits `limit` at once and the rest in order', async () => {
    const gate = new ConnectGate();
    const order: number[] = [];
    const leaves = [0, 1, 2, 3].map((i) => gate.enter(2, never).then((leave) => (order.push(i), leave)));
    await tick();
    expect(order).toEqual([0, 1]);
    (await leaves[0]!)();
    (await leaves[0]!)();
    await tick();
    expect(order).toEqual([0, 1, 2]);
    (await leaves[1]!)();
    await tick();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(gate.peak).toBe(2);
  });

  test('an aborted waiter leaves the queue', async () => {
    const gate = new ConnectGate();
    const first = await gate.enter(1, never);
    const abort = new AbortController();
    const waiting = gate.enter(1, abort.signal);
    const next = gate.enter(1, never);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    first();
    await expect(next).resolves.toBeTypeOf('function');
    expect(gate.peak).toBe(1);
  });
});
