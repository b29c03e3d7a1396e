/**
 * Loading a runbook: read → YAML → JSON Schema shape → normalize → semantic rules (ids, needs, cycles,
 * actions and their `with`, called runbooks, inputs, expressions). Every problem comes back as a diagnostic with a position;
 * the runbook is returned only when there is no error.
 */
import type { ErrorObject } from 'ajv';
import runbookSchema from './schema/runbook.schema.json' with { type: 'json' };
import { hasErrors } from './diagnostics.js';
import type { Diagnostic, DiagnosticCode, Loaded } from './diagnostics.js';
import { parseYaml, readSource } from './load.js';
import { normalizeRunbook } from './normalize.js';
import type { WrittenRunbook } from './normalize.js';
import { byPosition } from './positions.js';
import type { DataPath } from './positions.js';
import { compileSchema } from './compiled-schemas.js';
import { checkShape } from './shape.js';
import { actionsAndWith } from './rules/actions.js';
import { ruleContext } from './rules/context.js';
import type { Rule } from './rules/context.js';
import { cycles } from './rules/cycles.js';
import { duplicateIds } from './rules/duplicate-ids.js';
import { expressions } from './rules/expressions.js';
import { inputDecls } from './rules/input-decls.js';
import { needsExist } from './rules/needs.js';
import { subRunbooks } from './rules/sub-runbooks.js';
import type { Runbook } from './types.js';
import type { ActionCatalogue } from './action-descriptor.js';

/** The runbook schema as published for editors. */
export { runbookSchema };

const validateShape = compileSchema(runbookSchema);

const RULES: readonly Rule[] = [duplicateIds, needsExist, cycles, inputDecls, actionsAndWith, subRunbooks, expressions];

/** What a runbook is checked against: the actions it may name; `text` stands in for the file's content. */
export interface LoadOptions {
  readonly actions: ActionCatalogue;
  readonly text?: string;
}

/** Loads and validates a runbook; reads `file` unless `options.text` is given. */
export function loadRunbook(file: string, options: LoadOptions): Loaded<Runbook> {
  const read = readSource(file, options.text);
  if (read.value === undefined) return { diagnostics: read.diagnostics };
  const parsed = parseYaml(read.value.file, read.value.text);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const { source, data } = parsed.value;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  diagnostics.push(...checkShape(validateShape, source, data, { classify, itemLabels: { steps: 'step' } }));
  if (hasErrors(diagnostics)) return { diagnostics: byPosition(diagnostics) };
  const runbook = normalizeRunbook(data as unknown as WrittenRunbook, source, read.value.hash);
  const ctx = ruleContext(runbook, source, options.actions);
  for (const rule of RULES) diagnostics.push(...rule(ctx));
  const ordered = byPosition(diagnostics);
  return hasErrors(ordered) ? { diagnostics: ordered } : { value: runbook, diagnostics: ordered };
}


/** Codes more specific than the schema keyword gives, for places the schema alone cannot name. */
function classify(error: ErrorObject, path: DataPath): DiagnosticCode | undefined {
  const [top, , field] = path;
  if (top === 'steps' && path.length === 3 && field === 'foreach') return 'RB_BAD_FOREACH';
  if (top === 'inputs' && path.length === 3 && field === 'type' && error.keyword !== 'required') {
    return 'RB_UNKNOWN_INPUT_TYPE';
  }
  return undefined;
}
