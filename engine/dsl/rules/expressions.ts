/**
 * Every `${{ }}` in the runbook must parse and read only what exists where it is written: declared inputs,
 * listed env variables, steps that finish before it (among the step's transitive `needs`), `item` inside a
 * foreach step, `result` in `outputs:` and `check.satisfied`.
 */
import { checkSyntax } from '../../expr/parse.js';
import { CONTEXT_ROOTS, references } from '../../expr/references.js';
import { hasExpression, singleExpression, splitTemplate } from '../../expr/template.js';
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { refInString } from '../positions.js';
import type { DataPath } from '../positions.js';
import type { Step } from '../types.js';
import { closest, didYouMean } from './closest.js';
import type { RuleContext } from './context.js';

/** What an expression at one place may read. */
interface Scope {
  /** Index of the step it belongs to; undefined at the runbook level. */
  readonly step?: number;
  readonly item: boolean;
  readonly result: boolean;
  readonly target: boolean;
  /** Must be exactly one expression (`when`, `check`, `satisfied`, a foreach string). */
  readonly single?: string;
}

interface Site {
  readonly path: DataPath;
  readonly text: string;
  readonly scope: Scope;
}

export function expressions(ctx: RuleContext): Diagnostic[] {
  const reach = reachability(ctx);
  const out: Diagnostic[] = [];
  for (const site of sites(ctx)) checkSite(ctx, site, reach, out);
  return out;
}

function* sites(ctx: RuleContext): Generator<Site> {
  const { runbook } = ctx;
  const top: Scope = { item: false, result: false, target: false };
  if (runbook.confirm !== undefined) yield { path: ['confirm'], text: runbook.confirm, scope: top };
  for (let i = 0; i < runbook.steps.length; i++) {
    const step = runbook.steps[i] as Step;
    const base = ['steps', i];
    const inStep: Scope = { step: i, item: step.foreach !== undefined, result: false, target: true };
    // `on:`, `when:` and `confirm:` are evaluated once for the whole step, before its instances exist.
    const where: Scope = { ...inStep, target: false, item: false };
    if (step.name !== undefined) yield { path: [...base, 'name'], text: step.name, scope: inStep };
    // Fields the action evaluates itself after it looked (wait.until's `until`) read `result` too.
    const afterLook = ctx.actions.get(step.action)?.resultFields ?? [];
    for (const [key, value] of Object.entries(step.with)) {
      yield* strings([...base, 'with', key], value, afterLook.includes(key) ? { ...inStep, result: true } : inStep);
    }
    yield* strings([...base, 'on'], step.on, where);
    if (step.when !== undefined) {
      yield { path: [...base, 'when'], text: step.when, scope: { ...where, single: 'when' } };
    }
    if (typeof step.foreach === 'string') {
      yield { path: [...base, 'foreach'], text: step.foreach, scope: { ...where, item: false, single: 'foreach' } };
    } else {
      yield* strings([...base, 'foreach'], step.foreach, { ...where, item: false });
    }
    if (step.confirm !== undefined) yield { path: [...base, 'confirm'], text: step.confirm, scope: where };
    const check = step.check;
    if (check?.type === 'expression') {
      yield { path: [...base, 'check'], text: check.expression, scope: { ...inStep, single: 'check' } };
    } else if (check?.type === 'action') {
      yield* strings([...base, 'check', 'with'], check.with, inStep);
      yield* strings([...base, 'check', 'on'], check.on, { ...inStep, target: false });
      if (check.satisfied !== undefined) {
        yield {
          path: [...base, 'check', 'satisfied'],
          text: check.satisfied,
          scope: { ...inStep, result: true, single: 'check.satisfied' },
        };
      }
    }
    for (const [name, text] of Object.entries(step.outputs)) {
      yield { path: [...base, 'outputs', name], text, scope: { ...inStep, result: true } };
    }
  }
}

function* strings(path: DataPath, value: unknown, scope: Scope, depth = 0): Generator<Site> {
  if (typeof value === 'string') {
    if (hasExpression(value)) yield { path, text: value, scope };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length && depth < 64; i++) yield* strings([...path, i], value[i], scope, depth + 1);
  } else if (value !== null && typeof value === 'object' && depth < 64) {
    for (const [key, child] of Object.entries(value)) yield* strings([...path, key], child, scope, depth + 1);
  }
}

function checkSite(ctx: RuleContext, site: Site, reach: Reach, out: Diagnostic[]): void {
  const at = (index: number) => refInString(ctx.source, site.path, index);
  if (site.scope.single !== undefined && singleExpression(site.text) === undefined && !hasBrokenExpression(site.text)) {
    const field = site.scope.single;
    out.push(
      diagnostic(
        field === 'foreach' ? 'RB_BAD_FOREACH' : 'RB_BAD_VALUE',
        at(0),
        field === 'foreach'
          ? 'foreach must be a list or one `${{ }}` expression giving a list'
          : `${field} must be one \`\${{ }}\` expression, not text`,
        hasExpression(site.text) ? `write the whole value as one \`\${{ … }}\`` : `write "\${{ ${site.text.trim()} }}"`,
      ),
    );
    return;
  }
  const split = splitTemplate(site.text);
  if ('error' in split) {
    out.push(diagnostic('RB_EXPR_SYNTAX', at(split.error.offset), split.error.message, 'close each `${{` with `}}`; quote strings inside with \'…\''));
    return;
  }
  for (const part of split.parts) {
    if (part.kind !== 'expr') continue;
    const syntax = checkSyntax(part.source);
    if (!syntax.ok) {
      out.push(diagnostic('RB_EXPR_SYNTAX', at(part.offset + (syntax.offset ?? 0)), syntax.message, SYNTAX_HINT));
      continue;
    }
    for (const ref of references(part.source)) {
      const problem = checkReference(ctx, site.scope, ref.path, reach);
      if (problem !== undefined) {
        out.push(diagnostic(problem.code, at(part.offset + ref.offset), problem.message, problem.hint));
      }
    }
  }
}

function hasBrokenExpression(text: string): boolean {
  return hasExpression(text) && 'error' in splitTemplate(text);
}

interface Problem {
  readonly code: Diagnostic['code'];
  readonly message: string;
  readonly hint?: string;
}

function checkReference(ctx: RuleContext, scope: Scope, path: readonly string[], reach: Reach): Problem | undefined {
  const [root, name] = path;
  if (root === undefined) return undefined;
  const allowed = CONTEXT_ROOTS.filter((r) => inScope(r, scope));
  if (!CONTEXT_ROOTS.includes(root)) {
    return {
      code: 'RB_EXPR_UNKNOWN_NAME',
      message: `unknown name "${root}" in expression`,
      hint: didYouMean(root, allowed) ?? `expressions start from ${allowed.join(', ')}`,
    };
  }
  if (!inScope(root, scope)) return { code: 'RB_EXPR_UNKNOWN_NAME', message: outOfScope(root), hint: scopeHint(root) };
  if (name === undefined) return undefined;
  const { runbook } = ctx;
  switch (root) {
    case 'inputs':
      if (runbook.inputs.some((input) => input.name === name)) return undefined;
      return {
        code: 'RB_EXPR_UNKNOWN_INPUT',
        message: `"inputs.${name}" is not a declared input`,
        hint:
          mean('inputs', name, runbook.inputs.map((input) => input.name)) ?? `declare it under \`inputs:\``,
      };
    case 'env':
      if (runbook.env.includes(name)) return undefined;
      return {
        code: 'RB_EXPR_UNKNOWN_NAME',
        message: `"env.${name}" is not in the runbook's env list`,
        hint: mean('env', name, runbook.env) ?? `add ${name} to \`env:\``,
      };
    case 'steps':
      return checkStepRead(ctx, scope, name, reach);
    default:
      return undefined;
  }
}

function checkStepRead(ctx: RuleContext, scope: Scope, name: string, reach: Reach): Problem | undefined {
  const target = ctx.stepIndex.get(name);
  if (target === undefined) {
    return {
      code: 'RB_EXPR_UNKNOWN_STEP',
      message: `"steps.${name}" is not a step id`,
      hint: hyphenHint(ctx, name) ?? stepMean(name, ctx.stepIndex.keys()),
    };
  }
  if (scope.step === undefined) {
    return { code: 'RB_EXPR_UNKNOWN_NAME', message: `"steps.${name}" is not known before the run starts` };
  }
  const reader = ctx.runbook.steps[scope.step];
  if (target === scope.step) {
    return {
      code: 'RB_EXPR_NOT_NEEDED',
      message: `step "${name}" reads its own outputs`,
      hint: 'read `result` in `outputs:` instead',
    };
  }
  if (reader === undefined || reach(target, scope.step)) return undefined;
  return {
    code: 'RB_EXPR_NOT_NEEDED',
    message: `step "${reader.id}" reads "steps.${name}", but "${name}" is not among its needs, so it may not have run yet`,
    hint: `add "${name}" to the needs of "${reader.id}"`,
  };
}

function mean(root: string, name: string, candidates: Iterable<string>): string | undefined {
  const hint = didYouMean(name, candidates);
  return hint === undefined ? undefined : hint.replace(/"(.*)"/, `"${root}.$1"`);
}

function stepMean(name: string, ids: Iterable<string>): string | undefined {
  const [best] = closest(name, ids);
  if (best === undefined) return undefined;
  return best.includes('-') ? `did you mean steps['${best}']?` : `did you mean "steps.${best}"?`;
}

/** `steps.drain-node` parses as `steps.drain - node`: suggest the index form. */
function hyphenHint(ctx: RuleContext, name: string): string | undefined {
  const full = [...ctx.stepIndex.keys()].find((id) => id.startsWith(`${name}-`));
  return full === undefined ? undefined : `ids with "-" are read as steps['${full}']`;
}

function inScope(root: string, scope: Scope): boolean {
  switch (root) {
    case 'item':
      return scope.item;
    case 'result':
      return scope.result;
    case 'target':
      return scope.target;
    default:
      return true;
  }
}

function outOfScope(root: string): string {
  switch (root) {
    case 'item':
      return '`item` exists only in `with:`, `check:` and `outputs:` of a step with `foreach:` (`on:`, `when:`, `confirm:` and `foreach:` are evaluated once for the whole step)';
    case 'result':
      return '`result` exists only in `outputs:`, `check.satisfied` and fields an action evaluates after it ran (wait.until `until`)';
    case 'target':
      return '`target` exists only in `with:`, `check:` and `outputs:` of a step (`on:`, `when:`, `confirm:` and `foreach:` are evaluated once for the whole step)';
    default:
      return `"${root}" cannot be used here`;
  }
}

const SYNTAX_HINT = 'expressions are CEL, e.g. `${{ inputs.count + 1 }}` or `${{ steps.a.outputs.stdout == \'ok\' }}`';

function scopeHint(root: string): string | undefined {
  switch (root) {
    case 'item':
      return 'add `foreach:` to this step, or read the value from `inputs` or `steps`';
    case 'result':
      return 'name what you need in this step\'s `outputs:` and read it as steps.<id>.outputs.<name> in later steps';
    case 'target':
      return 'read the node from `inventory` here instead';
    default:
      return undefined;
  }
}

/** `reach(x, y)`: does step y (transitively) need step x? */
type Reach = (x: number, y: number) => boolean;

/**
 * Answers from the direct needs first (the common case), then from the set of steps that transitively need
 * x, computed once per x that is ever asked about: linear per distinct step read, never all pairs.
 */
function reachability(ctx: RuleContext): Reach {
  const { steps } = ctx.runbook;
  let dependents: number[][] | undefined;
  const below = new Map<number, Uint8Array>();
  return (x, y) => {
    const target = steps[x]?.id;
    if (target !== undefined && steps[y]?.needs.includes(target)) return true;
    let set = below.get(x);
    if (set === undefined) {
      dependents ??= buildDependents(ctx);
      set = new Uint8Array(steps.length);
      const stack = [x];
      while (stack.length > 0) {
        const node = stack.pop() as number;
        for (const next of dependents[node] ?? []) {
          if (set[next] === 0) {
            set[next] = 1;
            stack.push(next);
          }
        }
      }
      below.set(x, set);
    }
    return set[y] === 1;
  };
}

function buildDependents(ctx: RuleContext): number[][] {
  const dependents: number[][] = ctx.runbook.steps.map(() => []);
  ctx.runbook.steps.forEach((step, i) => {
    for (const need of step.needs) {
      const from = ctx.stepIndex.get(need);
      if (from !== undefined) dependents[from]?.push(i);
    }
  });
  return dependents;
}
