/**
 * The plan as an operator reads it: steps in execution order, each instance with its target and
 * the exact command or API call, `when` conditions and gates shown.
 */
import type { Plan } from '../runner/dry-run.js';
import { formatFileDiff } from './file-diff.js';

/** `colour`: diffs in colour (a terminal). */
export function formatPlan(plan: Plan, options: { readonly colour?: boolean } = {}): string {
  const out: string[] = [];
  const count = plan.steps.reduce((n, s) => n + Math.max(1, s.instances.length), 0);
  out.push(`Plan: ${plan.runbook} — ${plan.steps.length} steps, ${count} instances. Dry-run: nothing is executed.`);
  if (plan.description !== undefined) out.push(`  ${plan.description}`);
  const inputs = Object.entries(plan.inputs);
  if (inputs.length > 0) out.push(`  inputs: ${inputs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  if (plan.limit !== undefined) out.push(`  limit: ${plan.limit} (steps on or about other nodes are skipped; local and manager steps run)`);
  if (plan.confirm !== undefined) out.push(`  gate: "${plan.confirm}" (asked before anything runs)`);
  plan.steps.forEach((step, i) => {
    const needs = step.needs.length > 0 ? ` after ${step.needs.join(', ')}` : '';
    const kind = step.mutating ? '' : ' (read-only)';
    out.push(`${String(i + 1).padStart(3)}. ${step.step} — ${step.action}${kind}${needs}`);
    if (step.name !== step.step) out.push(`       ${step.name}`);
    if (step.when !== undefined) out.push(`       when ${step.when.expression} → ${step.when.value}`);
    if (step.confirm !== undefined) out.push(`       gate: "${step.confirm}"`);
    if (step.deferred !== undefined) out.push(`       ${step.deferred} (known at run time)`);
    for (const line of step.quorum ?? []) out.push(`       ${line}`);
    if (step.blocked !== undefined) out.push(`       ${step.blocked}`);
    else if (step.error !== undefined) out.push(`       cannot plan: ${step.error}`);
    else if (step.instances.length === 0 && step.deferred === undefined) out.push('       no instances: its foreach list is empty');
    else if (step.instances.every((i) => i.skipped !== undefined)) out.push('       skipped: every instance is outside --limit');
    for (const instance of step.instances) {
      const note = instance.skipped === undefined ? (instance.read ?? (instance.check === undefined ? undefined : `check: ${instance.check}`)) : `skipped: ${instance.skipped}`;
      out.push(`       ${instance.instance} on ${instance.target}${note === undefined ? '' : ` — ${note}`}`);
      for (const line of instance.lines) {
        out.push(`         ${line.summary}`);
        if (line.call !== undefined) out.push(`           $ ${line.call}`);
      }
      if (instance.diffNote !== undefined) out.push(`         ${instance.diffNote}`);
      for (const diff of instance.diff ?? []) out.push(...formatFileDiff(diff, '         ', options.colour === true));
    }
  });
  if (plan.problems.length > 0) {
    out.push(`cannot plan: the run would not go through with these inputs and this inventory (${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'} below); nothing was executed`);
  }
  return out.join('\n') + '\n';
}
