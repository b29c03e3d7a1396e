/**
 * What every semantic rule sees: the resolved runbook and the parsed file to point diagnostics into.
 * A rule is a pure function from this to diagnostics; `validate.ts` runs them all.
 */
import type { ActionCatalogue } from '../action-descriptor.js';
import type { Diagnostic } from '../diagnostics.js';
import type { YamlSource } from '../positions.js';
import type { Runbook } from '../types.js';

export interface RuleContext {
  readonly runbook: Runbook;
  readonly source: YamlSource;
  /** Index in `runbook.steps` of the first step with each id. */
  readonly stepIndex: ReadonlyMap<string, number>;
  /** The actions steps may name, with their `with` schemas. */
  readonly actions: ActionCatalogue;
}

export type Rule = (ctx: RuleContext) => Diagnostic[];

/** Builds the context shared by all rules. */
export function ruleContext(runbook: Runbook, source: YamlSource, actions: ActionCatalogue): RuleContext {
  const stepIndex = new Map<string, number>();
  runbook.steps.forEach((step, i) => {
    if (!stepIndex.has(step.id)) stepIndex.set(step.id, i);
  });
  return { runbook, source, stepIndex, actions };
}
