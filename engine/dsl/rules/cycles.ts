/**
 * `needs` must form a DAG. Each cycle is named in the order the edges go (`a → b → a`: a needs b, b needs a)
 * and reported at the `needs` entry that closes it. The walk is iterative: a 10,000-step chain must not
 * exhaust the stack.
 */
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { refAt } from '../positions.js';
import type { RuleContext } from './context.js';

const MAX_REPORTED = 10;

export function cycles(ctx: RuleContext): Diagnostic[] {
  const { steps } = ctx.runbook;
  const edges = steps.map((step) =>
    step.needs.flatMap((need, j) => {
      const to = ctx.stepIndex.get(need);
      return to === undefined || need === step.id ? [] : [{ to, entry: j }];
    }),
  );
  // 0: not visited, 1: on the current path, 2: done.
  const state = new Uint8Array(steps.length);
  const out: Diagnostic[] = [];
  for (let start = 0; start < steps.length && out.length < MAX_REPORTED; start++) {
    if (state[start] !== 0 || ctx.stepIndex.get(steps[start]?.id ?? '') !== start) continue;
    const path: number[] = [start];
    const next: number[] = [0];
    state[start] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top] ?? 0;
      const edge = edges[node]?.[next[top] ?? 0];
      if (edge === undefined) {
        state[node] = 2;
        path.pop();
        next.pop();
        continue;
      }
      next[top] = (next[top] ?? 0) + 1;
      if (state[edge.to] === 1) {
        if (out.length < MAX_REPORTED) out.push(report(ctx, path.slice(path.indexOf(edge.to)), node, edge.entry));
      } else if (state[edge.to] === 0) {
        state[edge.to] = 1;
        path.push(edge.to);
        next.push(0);
      }
    }
  }
  return out;
}

function report(ctx: RuleContext, loop: readonly number[], closer: number, entry: number): Diagnostic {
  const ids = loop.map((i) => ctx.runbook.steps[i]?.id ?? '?');
  const names = [...ids, ids[0] ?? '?'].join(' → ');
  return diagnostic(
    'RB_CYCLE',
    refAt(ctx.source, ['steps', closer, 'needs', entry]),
    `steps need each other in a cycle: ${names}`,
    `remove one of these needs; "${ctx.runbook.steps[closer]?.id ?? '?'}" cannot wait for a step that waits for it`,
  );
}
