/** Step ids name steps in `needs` and `steps.<id>`: two steps with one id would make both ambiguous. */
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { refAt } from '../positions.js';
import type { RuleContext } from './context.js';

export function duplicateIds(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  ctx.runbook.steps.forEach((step, i) => {
    const first = ctx.stepIndex.get(step.id);
    if (first === undefined || first === i) return;
    const firstAt = ctx.runbook.steps[first]?.source;
    out.push(
      diagnostic(
        'RB_DUPLICATE_ID',
        refAt(ctx.source, ['steps', i, 'id']),
        `step id "${step.id}" is already used by the step at line ${firstAt?.line ?? '?'}`,
        `rename one of them, e.g. "${step.id}-2"`,
      ),
    );
  });
  return out;
}
