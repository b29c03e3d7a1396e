/** Every `needs` entry must name another step of the runbook. */
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { refAt } from '../positions.js';
import { didYouMean } from './closest.js';
import type { RuleContext } from './context.js';

export function needsExist(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  ctx.runbook.steps.forEach((step, i) => {
    step.needs.forEach((need, j) => {
      const at = () => refAt(ctx.source, ['steps', i, 'needs', j]);
      if (need === step.id) {
        out.push(diagnostic('RB_SELF_NEEDS', at(), `step "${step.id}" needs itself`, `remove "${need}" from its needs`));
      } else if (!ctx.stepIndex.has(need)) {
        const hint = didYouMean(need, ctx.stepIndex.keys()) ?? `step ids are: ${listIds(ctx)}`;
        out.push(
          diagnostic('RB_UNKNOWN_NEEDS', at(), `step "${step.id}" needs "${need}", which is not a step id`, hint),
        );
      }
    });
  });
  return out;
}

function listIds(ctx: RuleContext): string {
  const ids = [...ctx.stepIndex.keys()];
  return ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, …` : ids.join(', ');
}
