/**
 * The dry-run: the expanded graph in execution order, each instance with its target and the exact
 * command or API call it would make. Values produced by earlier steps are unknown until run time and
 * shown as `<output of STEP>`. Nothing here can write: actions plan with ports that refuse writes,
 * and only declared read-only probes (`check`) touch the world.
 */
import { setMaxListeners } from 'node:events';
import type { ActionContext, ActionDefinition, PlanLine } from '../actions/define.js';
import { getAction } from '../actions/index.js';
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import { positionIn } from '../dsl/locate.js';
import type { Runbook, Step } from '../dsl/types.js';
import { describeError, RunbookError } from '../errors.js';
import { interpolate } from '../expr/interpolate.js';
import { executionOrder } from '../graph/order.js';
import type { Limit } from '../inventory/limit.js';
import type { Inventory } from '../inventory/types.js';
import type { Ports } from '../io/ports.js';
import { baseContext, instanceContext, type BaseContext } from '../plan/context.js';
import type { Instance } from '../plan/expand.js';
import { ExpressionFailure, located, type Where } from '../plan/located.js';
import { planStep as planInstances, unknownOutputs } from '../plan/plan-step.js';
import { targetName, type LiveManagerResolver } from '../plan/targets.js';
import { outputsOf, secretNames } from '../plan/with.js';
import { SecretMasker } from '../secrets.js';
import { actionContext } from './action-context.js';
import { callWithTimeout } from './attempt.js';
import { runCheck } from './check.js';
import { planDiff, type FileDiff } from './dry-run-diff.js';
import { PlanQuorum, type PlannedEffect } from './dry-run-quorum.js';
import { loadSubRunbook } from './sub-runbook.js';

export interface PlannedInstance {
  readonly instance: string;
  readonly target: string;
  readonly lines: readonly PlanLine[];
  /** `satisfied` (would be skipped), `would run`, or why the probe could not tell. */
  readonly check?: string;
  /** For a quick read the plan made now: that it answered, or why not. */
  readonly read?: string;
  /** Why the run would skip it without a look (`--limit` leaves its node out). */
  readonly skipped?: string;
  /** With `diff`: the files the instance would write, each as it is now against what the run would leave. */
  readonly diff?: readonly FileDiff[];
  /** With `diff`: why the instance's files are not diffed (not known until run time, or the read failed). */
  readonly diffNote?: string;
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
  /** `--limit` as given. */
  readonly limit?: string;
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
  /** `--limit`: instances on or about other nodes are shown skipped. */
  readonly limit?: Limit;
  /** Ports whose writes are refused: what actions plan with. */
  readonly readOnlyPorts: Ports;
  /** Ports for declared read-only probes (`check`), which plan runs to tell what is already done. */
  readonly probePorts: Ports;
  readonly env: NodeJS.ProcessEnv;
  readonly live?: LiveManagerResolver;
  readonly signal: AbortSignal;
  /** Diff the files steps would write against the nodes' files (read-only). */
  readonly diff?: boolean;
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
    if (question !== undefined) confirm = String(located({ runbook, prefix: '' }, ['confirm'], () => interpolate(question, instanceContext(base, {}), { unknown: unknownOutputs(base) })));
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
    ...(request.limit === undefined ? {} : { limit: request.limit.pattern }),
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
  const { request, base, prefix, masker, quorum } = scope;
  const where: Where = { runbook: scope.runbook, step, prefix };
  const unknown = unknownOutputs(base);
  const plan = await planInstances(step, action, {
    base,
    inventory: request.inventory,
    live: request.live,
    where,
    quote: request.readOnlyPorts.shell.quote,
    unknown,
    expandSkipped: true,
    ...(request.limit === undefined ? {} : { limit: request.limit }),
  });
  const skipped = plan.when === 'false';
  const known = {
    ...head,
    ...(plan.confirm === undefined ? {} : { confirm: plan.confirm }),
    ...(plan.when === undefined || step.when === undefined ? {} : { when: { expression: step.when, value: plan.when } }),
  };
  // A step the run would skip (`when` false now) cannot stop it, whatever planning it in detail found.
  const problem = plan.unexpanded ?? plan.instances.map((i) => (i.args.ok || i.outside !== undefined ? undefined : i.args.problem)).find((p) => p !== undefined);
  if (problem !== undefined) {
    if (!skipped) throw problem;
    scope.steps.push({ ...known, instances: [], error: masker.mask(`${describeError(problem)} (the step is skipped: when is false)`) });
    return { stops: false };
  }
  if (step.action === 'runbook') {
    const call = plan.instances[0]?.args;
    const args = (call?.ok === true ? call.value : {}) as { name: string; inputs?: Record<string, unknown> };
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
  const instances: PlannedInstance[] = [];
  let stops = false;
  for (const { instance, context: ctx, args: planned, outside } of plan.instances) {
    if (outside !== undefined) {
      instances.push({ instance: prefix + instance.id, target: targetName(instance.target), lines: [], skipped: outside });
      continue;
    }
    const args = planned.ok ? planned.value : {};
    const context = actionContext({
      mode: 'plan',
      step,
      where,
      target: instance.target,
      context: ctx,
      ports: request.readOnlyPorts,
      runDir: '<run dir>',
      inventory: request.inventory,
      log: () => undefined,
      unknown: plan.deferred === undefined ? unknown : (refs) => (refs.some((r) => r.path[0] === 'item') ? '<each element>' : unknown(refs)),
    });
    const lines = [...(await planLines(action, args, { ...context, signal: request.signal }, plan.deferred))];
    const effect = plan.deferred === undefined && !skipped ? action.quorumEffect?.(args, instance.target) : undefined;
    if (effect !== undefined) {
      const planned = { by: prefix + instance.id, effect };
      effects.push(planned);
      lines.push({ summary: await quorum.instanceLine(planned, step.allowQuorumLoss, concurrentWith) });
    }
    let check: string | undefined;
    let read: string | undefined;
    if (!skipped && reads(action, args)) {
      const outcome = await readNow(scope, step, action, instance, plan.multi, args, ctx, context);
      read = outcome.text;
      if (outcome.stops !== undefined) {
        stops = true;
        scope.problems.push(
          diagnostic('RB_PLAN_ASSERT', positionIn(scope.runbook.file, ['steps', scope.runbook.steps.indexOf(step), 'with', 'that']), `step "${head.step}": ${outcome.stops}`,
            'the run would stop at this step: fix the inputs or the inventory it checks'),
        );
      }
    } else if (step.check !== undefined || action.check !== undefined) {
      const probeContext = { ...context, ports: request.probePorts };
      check = await describeCheck(() => runCheck(step, action, args, ctx, probeContext, request.signal, where), args);
    }
    const diff = request.diff === true && !skipped ? await planDiff(action, args, { ...context, signal: request.signal }, masker) : {};
    instances.push({
      instance: prefix + instance.id,
      target: targetName(instance.target),
      lines: masker.maskDeep(lines),
      ...(check === undefined ? {} : { check }),
      ...(read === undefined ? {} : { read }),
      ...diff,
    });
  }
  let together: string[] = [];
  if (effects.length > 0) {
    together = await quorum.stepLines(head.step, effects, step.concurrency ?? effects.length, step.allowQuorumLoss, concurrentWith);
  }
  scope.steps.push({
    ...known,
    ...(plan.deferred === undefined ? {} : { deferred: plan.deferred }),
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
