/**
 * The dry-run: the expanded graph in execution order, each instance with its target and the exact
 * command or API call it would make. Values produced by earlier steps are unknown until run time and
 * shown as `<output of STEP>`. Nothing here can write: actions plan with ports that refuse writes,
 * and only declared read-only probes (`check`) touch the world.
 */
import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import type { ActionContext, ActionDefinition, PlanLine, Ports } from '../actions/define.js';
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
import { targetName, type LiveManagerResolver } from '../inventory/targets.js';
import type { Inventory } from '../inventory/types.js';
import { SecretMasker } from '../secrets.js';
import { runCheck, truthy } from './check.js';
import { callWithTimeout } from './attempt.js';
import { interpolateWith, outputsOf, secretNames } from './with.js';
import { baseContext, instanceContext, type BaseContext } from './context.js';
import { expandStep, type Instance } from './instances.js';
import { PlanQuorum, type PlannedEffect } from './plan-quorum.js';

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
  readonly error?: string;
}

export interface Plan {
  readonly runbook: string;
  readonly description?: string;
  readonly confirm?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly steps: readonly PlannedStep[];
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
  const quorum = new PlanQuorum(request.inventory, request.readOnlyPorts.docker, request.signal);
  await planScope(request, runbook, base, '', masker, steps, quorum);
  const visibleInputs = Object.fromEntries(
    Object.entries(request.inputs).map(([k, v]) => [k, runbook.inputs.find((i) => i.name === k)?.secret === true ? '***' : v]),
  );
  return {
    runbook: runbook.name,
    ...(runbook.description === undefined ? {} : { description: runbook.description }),
    ...(runbook.confirm === undefined ? {} : { confirm: String(interpolate(runbook.confirm, instanceContext(base, {}), unknownIn(base))) }),
    inputs: visibleInputs,
    steps,
  };
}

const isPlaceholder = (value: unknown): boolean => typeof value === 'string' && value.startsWith('<output of ');

/** Plans the steps of one runbook; a sub-runbook's steps follow its calling step, ids prefixed. */
async function planScope(
  request: PlanRequest,
  runbook: Runbook,
  base: BaseContext,
  prefix: string,
  masker: SecretMasker,
  steps: PlannedStep[],
  quorum: PlanQuorum,
): Promise<void> {
  const unknown = unknownIn(base);
  const ancestors = ancestorsOf(runbook.steps, prefix);
  const quorumSteps: string[] = [];
  for (const step of executionOrder(runbook.steps)) {
    const action = getAction(step.action);
    if (action === undefined) throw new RunbookError('INVALID', `unknown action "${step.action}"`);
    const head = {
      step: prefix + step.id,
      name: step.name ?? step.id,
      action: step.action,
      mutating: action.mutating,
      needs: step.needs.map((n) => prefix + n),
      ...(step.confirm === undefined ? {} : { confirm: String(interpolate(step.confirm, instanceContext(base, {}), unknown)) }),
    };
    let when: PlannedStep['when'];
    if (step.when !== undefined) {
      const source = singleExpression(step.when) ?? step.when;
      const value =
        unknown.unknown(references(source)) !== undefined
          ? 'decided at run time'
          : truthy(evaluate(source, instanceContext(base, {})))
            ? 'true'
            : 'false';
      when = { expression: step.when, value };
    }
    try {
      if (step.action === 'runbook') {
        const args = interpolate(step.with, instanceContext(base, {}), unknown) as { name: string; inputs?: Record<string, unknown> };
        const child = loadSubRunbook(runbook, step, args, isPlaceholder);
        steps.push({
          ...head,
          ...(when === undefined ? {} : { when }),
          instances: [{ instance: prefix + step.id, target: 'local', lines: [{ summary: `runs ${child.runbook.name}: its steps follow` }] }],
        });
        const childBase = baseContext({
          inputs: child.inputs,
          inventory: request.inventory,
          runId: '<run id>',
          runDir: '<run dir>',
          envAllowList: child.runbook.env,
          env: request.env,
        });
        await planScope(request, child.runbook, childBase, `${prefix}${step.id}/`, masker, steps, quorum);
        continue;
      }
      const concurrentWith = new Set(quorumSteps.filter((s) => !(ancestors.get(prefix + step.id)?.has(s) ?? false)));
      const effects: PlannedEffect[] = [];
      const expansion = await expandStep(step, action, base, request.inventory, request.live, unknown);
      const instances: PlannedInstance[] = [];
      for (const instance of expansion.instances) {
        const ctx = instanceContext(base, { item: instance.item, target: instance.target });
        const args = interpolateWith(step, action, ctx, { ...unknown, quote: request.readOnlyPorts.shell.quote });
        const actionContext: Omit<ActionContext, 'signal'> = {
          mode: 'plan',
          target: instance.target,
          ports: request.readOnlyPorts,
          runDir: '<run dir>',
          baseDir: dirname(runbook.file),
          allowQuorumLoss: step.allowQuorumLoss,
          evaluate: (expression, extra) => evaluate(singleExpression(expression) ?? expression, { ...ctx, ...extra }),
          interpolate: (value, options) =>
            interpolate(value, ctx, options?.shell === true ? { ...unknown, quote: request.readOnlyPorts.shell.quote } : unknown),
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
          read = await readNow(step, action, instance, expansion.multi, args, ctx, actionContext, base, masker, request.signal);
        } else if (step.check !== undefined || action.check !== undefined) {
          const probeContext = { ...actionContext, ports: request.probePorts };
          check = await describeCheck(() => runCheck(step, action, args, ctx, probeContext, request.signal), args);
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
        quorumSteps.push(prefix + step.id);
        together = await quorum.stepLines(prefix + step.id, effects, step.concurrency ?? effects.length, step.allowQuorumLoss, concurrentWith);
      }
      steps.push({
        ...head,
        ...(when === undefined ? {} : { when }),
        ...(expansion.deferred === undefined ? {} : { deferred: expansion.deferred }),
        instances,
        ...(together.length === 0 ? {} : { quorum: together }),
      });
    } catch (e) {
      steps.push({ ...head, ...(when === undefined ? {} : { when }), instances: [], error: masker.mask(describeError(e)) });
    }
  }
}

/** Every step's transitive needs, by prefixed id: steps that are not among them may run at the same time. */
function ancestorsOf(steps: readonly Step[], prefix: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const step of executionOrder(steps)) {
    const all = new Set<string>();
    for (const need of step.needs) {
      all.add(prefix + need);
      for (const a of out.get(prefix + need) ?? []) all.add(a);
    }
    out.set(prefix + step.id, all);
  }
  return out;
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

/** Runs a quick read now, with ports that refuse writes, so later steps plan with its real outputs. */
async function readNow(
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  instance: Instance,
  multi: boolean,
  args: Record<string, unknown>,
  ctx: Record<string, unknown>,
  actionContext: Omit<ActionContext, 'signal'>,
  base: BaseContext,
  masker: SecretMasker,
  signal: AbortSignal,
): Promise<string> {
  try {
    const result = await callWithTimeout(action, args, actionContext, signal, step.timeoutMs);
    const outputs = outputsOf(step, result, ctx);
    for (const name of secretNames(step, action)) masker.add(outputs[name]);
    if (!multi) base.steps[step.id] = { outputs };
    else ((base.steps[step.id] ??= { outputs: {} }).outputs as Record<string, unknown>)[instance.outputKey] = outputs;
    return 'read now; later steps are planned with what it returned';
  } catch (e) {
    return `read failed now: ${describeError(e)}`;
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
