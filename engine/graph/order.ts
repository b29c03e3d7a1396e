/**
 * Execution order of a step graph: a topological order that keeps the file's order among steps
 * that could run at the same time, so plans read like the runbook.
 */
import type { Step, StepId } from '../dsl/types.js';

/** Steps in execution order. Assumes the graph is acyclic (validation refuses cycles). */
export function executionOrder(steps: readonly Step[]): Step[] {
  const index = new Map<StepId, number>();
  steps.forEach((s, i) => index.set(s.id, i));
  const pending = new Map<StepId, number>();
  const dependents = new Map<StepId, StepId[]>();
  for (const s of steps) {
    pending.set(s.id, s.needs.length);
    for (const n of s.needs) {
      const list = dependents.get(n);
      if (list === undefined) dependents.set(n, [s.id]);
      else list.push(s.id);
    }
  }
  // A min-heap on file position would be asymptotically better; ready sets stay small in practice,
  // so a sorted insert into a short array is faster for real runbooks.
  const ready: number[] = [];
  const insert = (i: number): void => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ready[mid] as number) < i) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, i);
  };
  steps.forEach((s, i) => {
    if (s.needs.length === 0) insert(i);
  });
  const order: Step[] = [];
  while (ready.length > 0) {
    const i = ready.shift() as number;
    const step = steps[i] as Step;
    order.push(step);
    for (const d of dependents.get(step.id) ?? []) {
      const left = (pending.get(d) ?? 0) - 1;
      pending.set(d, left);
      if (left === 0) insert(index.get(d) as number);
    }
  }
  return order;
}

/** Every step reachable backwards through `needs` from `id` (not including `id`). */
export function ancestors(steps: ReadonlyMap<StepId, Step>, id: StepId): Set<StepId> {
  const seen = new Set<StepId>();
  const stack = [...(steps.get(id)?.needs ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as StepId;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(steps.get(next)?.needs ?? []));
  }
  return seen;
}
