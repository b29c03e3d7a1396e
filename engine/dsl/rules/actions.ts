/**
 * Each step (and each probe under `check:`) names an action of the catalogue, and its `with` matches that
 * action's own JSON Schema. A string holding `${{` stands for a value of any type: it is checked when it runs.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ActionDescriptor } from '../action-descriptor.js';
import { hasExpression } from '../../expr/template.js';
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { nodeAt, refAt } from '../positions.js';
import type { DataPath } from '../positions.js';
import { compileActionSchema } from '../compiled-schemas.js';
import { checkShape } from '../shape.js';
import { closest } from './closest.js';
import type { RuleContext } from './context.js';

type Compiled = { readonly ok: true; readonly validate: ValidateFunction } | { readonly ok: false; readonly message: string };

const compiled = new WeakMap<ActionDescriptor<Record<string, unknown>>, Compiled>();

/** The action's `with` validator, compiled on first use. */
function validatorFor(action: ActionDescriptor<Record<string, unknown>>): Compiled {
  let entry = compiled.get(action);
  if (entry === undefined) {
    try {
      entry = { ok: true, validate: compileActionSchema(action.with) };
    } catch (e) {
      entry = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    compiled.set(action, entry);
  }
  return entry;
}

export function actionsAndWith(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  ctx.runbook.steps.forEach((step, i) => {
    out.push(...checkUse(ctx, step.id, step.action, step.with, ['steps', i]));
    if (step.check?.type === 'action') {
      out.push(...checkUse(ctx, step.id, step.check.action, step.check.with, ['steps', i, 'check']));
    }
  });
  return out;
}

function checkUse(
  ctx: RuleContext,
  stepId: string,
  name: string,
  args: Readonly<Record<string, unknown>>,
  at: DataPath,
): Diagnostic[] {
  const action = ctx.actions.get(name);
  if (action === undefined) {
    const names = [...ctx.actions.keys()].sort();
    const near = closest(name, names, 3);
    const hint =
      near.length > 0
        ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
        : `actions are: ${names.join(', ')}`;
    return [
      diagnostic(
        'RB_UNKNOWN_ACTION',
        refAt(ctx.source, [...at, 'action']),
        `step "${stepId}" uses action "${name}", which does not exist`,
        hint,
      ),
    ];
  }
  const validator = validatorFor(action);
  if (!validator.ok) {
    return [
      diagnostic(
        'RB_ACTION_WITH',
        refAt(ctx.source, [...at, 'action']),
        `the schema of action "${name}" does not compile: ${validator.message}`,
        'this is a bug in runbook; please report it',
      ),
    ];
  }
  const withPath = [...at, 'with'];
  return checkShape(validator.validate, ctx.source, args, {
    at: withPath,
    rootAt: () => (nodeAt(ctx.source, withPath) === undefined ? [...at, 'action'] : undefined),
    code: 'RB_ACTION_WITH',
    subject: `step "${stepId}" (${name}) with`,
    skip: aboutExpression,
  });
}

const COMPOSITE = new Set(['anyOf', 'oneOf', 'if', 'not', 'then', 'else']);

/** An error about a `${{ }}` string, or a composite one that a nested expression may have caused. */
function aboutExpression(error: ErrorObject): boolean {
  const data: unknown = error.data;
  if (typeof data === 'string') return hasExpression(data);
  return COMPOSITE.has(error.keyword) && containsExpression(data, 0);
}

function containsExpression(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return hasExpression(value);
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  return Object.values(value).some((v) => containsExpression(v, depth + 1));
}
