/**
 * `action: runbook` and `drill.prepare` must name a runbook that exists, so that a typo stops the run (or
 * the drill) before anything is done rather than at that step. A name given as an expression is resolved
 * when the step runs.
 */
import { hasExpression } from '../../expr/template.js';
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { refAt } from '../positions.js';
import { reachableRunbookNames, subRunbookFile } from '../sub-runbook-file.js';
import { didYouMean } from './closest.js';
import type { RuleContext } from './context.js';

export function subRunbooks(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { file } = ctx.runbook;
  ctx.runbook.steps.forEach((step, i) => {
    const name = step.action === 'runbook' ? step.with['name'] : undefined;
    if (typeof name !== 'string' || hasExpression(name) || subRunbookFile(file, name) !== undefined) return;
    out.push(
      diagnostic(
        'RB_UNKNOWN_RUNBOOK',
        refAt(ctx.source, ['steps', i, 'with', 'name']),
        `step "${step.id}" calls runbook "${name}", which is neither beside this runbook nor a built-in one`,
        didYouMean(name, reachableRunbookNames(file)) ?? 'write the name of a runbook (`runbook list`) or a path to a .yaml file',
      ),
    );
  });
  const prepare = ctx.runbook.drill?.prepare;
  if (prepare !== undefined && subRunbookFile(file, prepare) === undefined) {
    out.push(
      diagnostic(
        'RB_UNKNOWN_RUNBOOK',
        refAt(ctx.source, ['drill', 'prepare']),
        `drill.prepare names runbook "${prepare}", which is neither beside this runbook nor a built-in one`,
        didYouMean(prepare, reachableRunbookNames(file)) ?? 'write the name of a runbook (`runbook list`) or a path to a .yaml file',
      ),
    );
  }
  return out;
}
