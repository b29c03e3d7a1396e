/**
 * The dry-run: the expanded graph in execution order, each instance with its target and the exact
 * command or API call it would make. Values produced by earlier steps are unknown until run time and
 * shown as `<output of STEP>`. Nothing here can write: actions plan with ports that refuse writes,
 * and only declared read-only probes (`check`) touch the world.
 */
import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import type { ActionContext, ActionDefinition, PlanLine } from '../actions/define.js';
import type { Ports } from '../io/ports.js';
import { getAction } from '../actions/index.js';
import type { Runbook, Step } from '../dsl/types.js';
import { loadSubRunbook } from './sub-runbook.js';
import { describeError, RunbookError } from '../errors.js';
import { evaluate } from '../expr/evaluate.js';
import { interpolate, type InterpolateOptions } from '../expr/interpolate.js';
import type { Reference } from '../expr/references.js';
import { references } from '../expr/references.js';
import { singleExpression } from '../expr/template.js';
import { executionOrder } from '../graph/order.js';
import { targetName, type LiveManagerResolver } from '../plan/targets.js';
import type { Inventory } from '../inventory/types.js';
import { SecretMasker } from '../secrets.js';
import { runCheck, truthy } from './check.js';
import { callWithTimeout } from './attempt.js';
import { interpolateWith, outputsOf, secretNames } from '../plan/with.js';
import { baseContext, instanceContext, type BaseContext } from '../plan/context.js';
import { expandStep, type Instance } from '../plan/expand.js';
import { PlanQuorum, type PlannedEffect } from './dry-run-quorum.js';
import { ExpressionFailure, fieldHolding, located, type Where } from '../plan/located.js';
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import { positionIn } from '../dsl/locate.js';

export interface PlannedInstance {
  readonly instance: string;
  readonly target: string;
  readonly lines: readonly PlanLine[];
  /** `satisfied` (would be skipped), `would run`, or why the probe could not tell. */
  readonly check?: string;
  /** For a quick read the plan made now: that it answered, or why not. */
  readonly read?: string;
}

export interface PlannedStep {
  readonly step: string;
  readonly name: string;
  readonly action: string;
  readonly mutating: boolean;
  readonly needs: readonly string[];
  readonly when?: { readonly expression: string; readonly value: 'true' | 'false' | 'decided at run time' };
  readonly confirm?: string;
  readonly deferred?: string;
  readonly instances: readonly PlannedInstance[];
  /** The quorum verdict of the step's instances together, and with steps that may run at the same time. */
  readonly quorum?: readonly string[];
  /** Why the step could not be planned (the run would fail or stop here). */
  readonly error?: string;
  /** Not planned: it needs a step the run would not get past. */
  readonly blocked?: string;
}

export interface Plan {
  readonly runbook: string;
  readonly description?: string;
  readonly confirm?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly steps: readonly PlannedStep[];
  /**
   * Why the run could not go through with these inputs and this inventory, at the `file:line:col` where the
   * failing expression or check is written: `plan` prints them and exits 2.
   */
  readonly problems: readonly Diagnostic[];
}

export interface PlanRequest {
  readonly runbook: Runbook;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly inventory?: Inventory;
  /** Ports whose writes are refused: what actions plan with. */
  readonly readOnlyPorts: Ports;
  /** Ports for declared read-only probes (`check`), which plan runs to tell what is already done. */
  readonly probePorts: Ports;
  readonly env: NodeJS.ProcessEnv;
  readonly live?: LiveManagerResolver;
  readonly signal: AbortSignal;
}

/**
 * Values only known at run time: outputs of steps that would run first. Outputs of the quick reads the
 * plan itself made (`planReads`) are known.
 */
function unknownIn(base: BaseContext): InterpolateOptions & { unknown: (refs: readonly Reference[]) => string | undefined } {
  return {
    unknown: (refs) => {
      const ref = refs.find((r) => r.path[0] === 'steps' && base.steps[r.path[1] ?? ''] === undefined);
      return ref === undefined ? undefined : `<output of ${ref.path[1] ?? '?'}>`;
    },
  };
}

export async function planRun(request: PlanRequest): Promise<Plan> {
  const { runbook } = request;
  setMaxListeners(0, request.signal);
  const masker = new SecretMasker();
  for (const input of runbook.inputs) if (input.secret) masker.add(request.inputs[input.name]);
  const base = baseContext({
    inputs: request.inputs,
    inventory: request.inventory,
    runId: '<run id>',
    runDir: '<run dir>',
    envAllowList: runbook.env,
    env: request.env,
  });
  const steps: PlannedStep[] = [];
  const problems: Diagnostic[] = [];
  const quorum = new PlanQuorum(request.inventory, request.readOnlyPorts.docker, request.signal);
  let confirm: string | undefined;
  try {
    const question = runbook.confirm;
    if (question !== undefined) confirm = String(located({ runbook, prefix: '' }, ['confirm'], () => interpolate(question, instanceContext(base, {}), unknownIn(base))));
  } catch (e) {
    if (!isPlanProblem(e)) throw e;
    problems.push(problemOf(e));
  }
  await planScope({ request, runbook, base, prefix: '', masker, steps, quorum, problems });
  const visibleInputs = Object.fromEntries(
    Object.entries(request.inputs).map(([k, v]) => [k, runbook.inputs.find((i) => i.name === k)?.secret === true ? '***' : v]),
  );
  return {
    runbook: runbook.name,
    ...(runbook.description === undefined ? {} : { description: runbook.description }),
    ...(confirm === undefined ? {} : { confirm }),
    inputs: visibleInputs,
    steps,
    problems: problems.map((d) => ({ ...d, message: masker.mask(d.message) })),
  };
}

const isPlaceholder = (value: unknown): boolean => typeof value === 'string' && value.startsWith('<output of ');

/** What planning one runbook (or sub-runbook) shares between its steps. */
interface Scope {
  readonly request: PlanRequest;
  readonly runbook: Runbook;
  readonly base: BaseContext;
  readonly prefix: string;
  readonly masker: SecretMasker;
  readonly steps: PlannedStep[];
  readonly quorum: PlanQuorum;
  readonly problems: Diagnostic[];
}

/** Plans the steps of one runbook; a sub-runbook's steps follow its calling step, ids prefixed. */
async function planScope(scope: Scope): Promise<void> {
  const { runbook, prefix } = scope;
  const quorumSteps: string[] = [];
  // For each step, the earlier steps with quorum effects among its transitive needs (a small set).
  const quorumBefore = new Map<string, ReadonlySet<string>>();
  // Steps the run could not get past with these inputs and this inventory (by the step that is the cause):
  // what needs them is not planned.
  const stopped = new Map<string, string>();
  for (const step of executionOrder(runbook.steps)) {
    const id = prefix + step.id;
    const action = getAction(step.action);
    if (action === undefined) throw new RunbookError('INVALID', `unknown action "${step.action}"`);
    const head = { step: id, name: step.name ?? step.id, action: step.action, mutating: action.mutating, needs: step.needs.map((n) => prefix + n) };
    const before = quorumAncestors(head.needs, quorumBefore, quorumSteps);
    quorumBefore.set(id, before);
    const cause = head.needs.map((n) => stopped.get(n)).find((c) => c !== undefined);
    if (cause !== undefined) {
      scope.steps.push({ ...head, instances: [], blocked: `not planned: it comes after ${cause}, which the run would not get past` });
      stopped.set(id, cause);
      continue;
    }
    const concurrentWith = new Set(quorumSteps.filter((s) => !before.has(s)));
    try {
      const planned = await planStep(scope, step, action, head, concurrentWith);
      if (planned.quorum !== undefined) quorumSteps.push(id);
      if (planned.stops) stopped.set(id, id);
    } catch (e) {
      if (isPlanProblem(e)) {
        scope.problems.push(problemOf(e));
        stopped.set(id, id);
      }
      scope.steps.push({ ...head, instances: [], error: scope.masker.mask(describeError(e)) });
    }
  }
}

type Head = Pick<PlannedStep, 'step' | 'name' | 'action' | 'mutating' | 'needs'>;

/** Plans one step and appends it (and a sub-runbook's steps) to the plan. */
async function planStep(
  scope: Scope,
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  head: Head,
  concurrentWith: ReadonlySet<string>,
): Promise<{ quorum?: true; stops: boolean }> {
  const { base, prefix, masker } = scope;
  const unknown = unknownIn(base);
  const where: Where = { runbook: scope.runbook, step, prefix };
  const confirmText = step.confirm;
  const confirm = confirmText === undefined ? undefined : String(located(where, ['confirm'], () => interpolate(confirmText, instanceContext(base, {}), unknown)));
  let when: PlannedStep['when'];
  if (step.when !== undefined) {
    const source = singleExpression(step.when) ?? step.when;
    const value =
      unknown.unknown(references(source)) !== undefined
        ? 'decided at run time'
        : truthy(located(where, ['when'], () => evaluate(source, instanceContext(base, {}))))
          ? 'true'
          : 'false';
    when = { expression: step.when, value };
  }
  const known = { ...head, ...(confirm === undefined ? {} : { confirm }), ...(when === undefined ? {} : { when }) };
  try {
    return await planDetail(scope, step, action, known, concurrentWith);
  } catch (e) {
    // A step the run would skip (`when` false now) cannot stop it, whatever planning it in detail found.
    if (when?.value !== 'false' || !isPlanProblem(e)) throw e;
    scope.steps.push({ ...known, instances: [], error: masker.mask(`${describeError(e)} (the step is skipped: when is false)`) });
    return { stops: false };
  }
}

/** The instances of a step whose `when` and gate are known: targets, calls, checks and reads. */
async function planDetail(
  scope: Scope,
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  known: Head & Pick<PlannedStep, 'confirm' | 'when'>,
  concurrentWith: ReadonlySet<string>,
): Promise<{ quorum?: true; stops: boolean }> {
  const { request, base, prefix, masker, quorum } = scope;
  const unknown = unknownIn(base);
  const where: Where = { runbook: scope.runbook, step, prefix };
  const { when } = known;
  const head = known;
  if (step.action === 'runbook') {
    const args = located(where, ['with'], () => interpolate(step.with, instanceContext(base, {}), unknown)) as { name: string; inputs?: Record<string, unknown> };
    const child = loadSubRunbook(scope.runbook, step, args, isPlaceholder);
    scope.steps.push({ ...known, instances: [{ instance: head.step, target: 'local', lines: [{ summary: `runs ${child.runbook.name}: its steps follow` }] }] });
    const childBase = baseContext({
      inputs: child.inputs,
      inventory: request.inventory,
      runId: '<run id>',
      runDir: '<run dir>',
      envAllowList: child.runbook.env,
      env: request.env,
    });
    await planScope({ ...scope, runbook: child.runbook, base: childBase, prefix: `${head.step}/` });
    return { stops: false };
  }
  const effects: PlannedEffect[] = [];
  const expansion = await expandStep(step, action, base, request.inventory, request.live, where, unknown);
  // A foreach over run-time values is one row standing for every element: `item` is unknown there too.
  const unknownHere =
    expansion.deferred === undefined
      ? unknown
      : { unknown: (refs: readonly Reference[]) => (refs.some((r) => r.path[0] === 'item') ? '<each element>' : unknown.unknown(refs)) };
  const instances: PlannedInstance[] = [];
  let stops = false;
  for (const instance of expansion.instances) {
    const ctx = instanceContext(base, { item: instance.item, target: instance.target });
    const args = located(where, ['with'], () => interpolateWith(step, action, ctx, { ...unknownHere, quote: request.readOnlyPorts.shell.quote }));
    const actionContext: Omit<ActionContext, 'signal'> = {
      mode: 'plan',
      action: getAction,
      target: instance.target,
      ports: request.readOnlyPorts,
      runDir: '<run dir>',
      baseDir: dirname(scope.runbook.file),
      allowQuorumLoss: step.allowQuorumLoss,
      evaluate: (expression, extra) =>
        located(where, fieldHolding(step, expression), () => evaluate(singleExpression(expression) ?? expression, { ...ctx, ...extra })),
      interpolate: (value, options) =>
        located(where, fieldHolding(step, value), () =>
          interpolate(value, ctx, options?.shell === true ? { ...unknownHere, quote: request.readOnlyPorts.shell.quote } : unknownHere),
        ),
      ...(request.inventory === undefined ? {} : { inventory: request.inventory }),
      log: () => undefined,
    };
    const lines = [...(await planLines(action, args, { ...actionContext, signal: request.signal }, expansion.deferred))];
    const effect = expansion.deferred === undefined && when?.value !== 'false' ? action.quorumEffect?.(args, instance.target) : undefined;
    if (effect !== undefined) {
      const planned = { by: prefix + instance.id, effect };
      effects.push(planned);
      lines.push({ summary: await quorum.instanceLine(planned, step.allowQuorumLoss, concurrentWith) });
    }
    let check: string | undefined;
    let read: string | undefined;
    if (when?.value !== 'false' && reads(action, args)) {
      const outcome = await readNow(scope, step, action, instance, expansion.multi, args, ctx, actionContext);
      read = outcome.text;
      if (outcome.stops !== undefined) {
        stops = true;
        scope.problems.push(
          diagnostic('RB_PLAN_ASSERT', positionIn(scope.runbook.file, ['steps', scope.runbook.steps.indexOf(step), 'with', 'that']), `step "${head.step}": ${outcome.stops}`,
            'the run would stop at this step: fix the inputs or the inventory it checks'),
        );
      }
    } else if (step.check !== undefined || action.check !== undefined) {
      const probeContext = { ...actionContext, ports: request.probePorts };
      check = await describeCheck(() => runCheck(step, action, args, ctx, probeContext, request.signal, where), args);
    }
    instances.push({
      instance: prefix + instance.id,
      target: targetName(instance.target),
      lines: masker.maskDeep(lines),
      ...(check === undefined ? {} : { check }),
      ...(read === undefined ? {} : { read }),
    });
  }
  let together: string[] = [];
  if (effects.length > 0) {
    together = await quorum.stepLines(head.step, effects, step.concurrency ?? effects.length, step.allowQuorumLoss, concurrentWith);
  }
  scope.steps.push({
    ...known,
    ...(expansion.deferred === undefined ? {} : { deferred: expansion.deferred }),
    instances,
    ...(together.length === 0 ? {} : { quorum: together }),
  });
  return { ...(effects.length > 0 ? { quorum: true as const } : {}), stops };
}

/** An expression that failed on the plan's data, or an `on:` naming nothing of the inventory. */
function isPlanProblem(e: unknown): e is ExpressionFailure {
  return e instanceof ExpressionFailure;
}

function problemOf(e: ExpressionFailure): Diagnostic {
  const source = e.source ?? { file: '<runbook>', line: 1, col: 1 };
  return diagnostic(
    e.diagnosticCode,
    source,
    e.bare,
    e.diagnosticCode === 'RB_UNKNOWN_TARGET'
      ? 'name a node or group of the inventory (runbook plan -i FILE shows which inventory is read)'
      : 'the run would fail here: give inputs that name what the inventory has, or add it to the inventory',
  );
}

const NONE: ReadonlySet<string> = new Set();

/** The steps with quorum effects a step comes after: those of its needs, and its needs themselves. */
function quorumAncestors(needs: readonly string[], before: ReadonlyMap<string, ReadonlySet<string>>, quorumSteps: readonly string[]): ReadonlySet<string> {
  let out: Set<string> | undefined;
  for (const need of needs) {
    const inherited = before.get(need) ?? NONE;
    const own = quorumSteps.includes(need);
    if (inherited.size === 0 && !own) continue;
    out ??= new Set();
    for (const q of inherited) out.add(q);
    if (own) out.add(need);
  }
  return out ?? NONE;
}

/** An action cannot plan for a target that is only known at run time: say so instead of failing. */
async function planLines(
  action: ActionDefinition<Record<string, unknown>>,
  args: Record<string, unknown>,
  ctx: ActionContext,
  deferred: string | undefined,
): Promise<readonly PlanLine[]> {
  try {
    return await action.plan(args, ctx);
  } catch (e) {
    if (deferred === undefined) throw e;
    return [{ summary: `${action.name}: exact calls are known once its targets are (${deferred})` }];
  }
}

function reads(action: ActionDefinition<Record<string, unknown>>, args: Record<string, unknown>): boolean {
  const declared = typeof action.planReads === 'function' ? action.planReads(args) : action.planReads === true;
  return declared && !JSON.stringify(args).includes('<output of ');
}

/**
 * Runs a quick read now, with ports that refuse writes, so later steps plan with its real outputs.
 * `stops` is set when the read decides the run (an `assert` that fails now): the run would not get past it.
 */
async function readNow(
  scope: Scope,
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  instance: Instance,
  multi: boolean,
  args: Record<string, unknown>,
  ctx: Record<string, unknown>,
  actionContext: Omit<ActionContext, 'signal'>,
): Promise<{ text: string; stops?: string }> {
  const { base, masker } = scope;
  try {
    const result = await callWithTimeout(action, args, actionContext, scope.request.signal, step.timeoutMs);
    const outputs = outputsOf(step, result, ctx, { runbook: scope.runbook, step, prefix: scope.prefix });
    for (const name of secretNames(step, action)) masker.add(outputs[name]);
    if (!multi) base.steps[step.id] = { outputs };
    else ((base.steps[step.id] ??= { outputs: {} }).outputs as Record<string, unknown>)[instance.outputKey] = outputs;
    return { text: 'read now; later steps are planned with what it returned' };
  } catch (e) {
    if (e instanceof ExpressionFailure) throw e;
    const why = masker.mask(describeError(e));
    return action.decidesRun === true ? { text: `fails now: ${why}`, stops: why } : { text: `read failed now: ${why}` };
  }
}

async function describeCheck(probe: () => Promise<{ satisfied: boolean } | undefined>, args: Record<string, unknown>): Promise<string> {
  if (JSON.stringify(args).includes('<output of ')) return 'decided at run time';
  try {
    const result = await probe();
    return result?.satisfied === true ? 'already satisfied: would be skipped' : 'would run';
  } catch (e) {
    return `probe failed: ${describeError(e)}`;
  }
}
