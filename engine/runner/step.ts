/**
 * One step run: the planner gives its `when`, its gate and its instances (targets × foreach, each
 * with its `with`); they run under `concurrency` and `max_failures`, each with its resume decision,
 * check, quorum admission, attempts with retry and timeout, and outputs. Every `step.started` is
 * durable before the action runs; every `step.succeeded` before a dependent step starts.
 */
import pLimit from 'p-limit';
import type { ActionContext, ActionDefinition, QuorumEffect } from '../actions/define.js';
import { getAction } from '../actions/index.js';
import { toleratedFailures } from '../dsl/failure-limit.js';
import type { Step } from '../dsl/types.js';
import { describeError, RunbookError } from '../errors.js';
import { reportInternal } from '../internal-error.js';
import type { Instance } from '../plan/expand.js';
import type { Where } from '../plan/located.js';
import { planStep, type InstancePlan } from '../plan/plan-step.js';
import { targetName, type LiveManagerResolver } from '../plan/targets.js';
import { outputsOf, secretNames } from '../plan/with.js';
import { actionContext } from './action-context.js';
import { callWithTimeout } from './attempt.js';
import { runCheck } from './check.js';
import type { StepInstanceRef } from './events.js';
import { allowRerun, journaledPrompt, passGate } from './gates.js';
import type { Admitted, EffectRequest } from './quorum-gate.js';
import { runSubRunbook } from './sub-runbook.js';
import type { RunSession, StepOutcome } from './session.js';

type InstanceOutcome = 'succeeded' | 'skipped' | 'tolerated' | 'failed' | 'aborted';

export async function runStep(session: RunSession, step: Step): Promise<StepOutcome> {
  if (!session.mayStart()) return 'not-started';
  const action = getAction(step.action);
  if (action === undefined) throw new RunbookError('INVALID', `unknown action "${step.action}"`);
  const stepRef: StepInstanceRef = { step: session.prefix + step.id, instance: session.prefix + step.id, target: 'local' };
  const plan = await planStep(step, action, {
    base: session.base,
    inventory: session.inventory,
    live: resumedLive(session, step),
    where: whereOf(session, step),
    quote: session.ports.shell.quote,
    ...(session.limit === undefined ? {} : { limit: session.limit }),
  });
  if (plan.when === 'false') {
    session.emit({ type: 'step.skipped', ...stepRef, reason: 'when', ...(step.when === undefined ? {} : { detail: step.when }) });
    return 'skipped';
  }
  // The step's gate is asked once, right before the first instance that has work to do: a step whose
  // check says it is done, or whose guard refuses, asks nothing.
  let gate: Promise<void> | undefined;
  const question = plan.confirm;
  const confirm = question === undefined ? undefined : () => (gate ??= passGate(session, `step:${session.prefix}${step.id}`, question));
  if (step.action === 'runbook') {
    const call = plan.instances[0]?.args;
    if (call?.ok !== true) throw call?.problem ?? new RunbookError('INTERNAL', `step "${step.id}" has no instance`);
    await confirm?.();
    return runSubRunbook(session, step, call.value as { name: string; inputs?: Record<string, unknown> });
  }
  if (plan.multi) session.base.steps[step.id] = { outputs: {} };
  const { inside, outside } = byLimit(session, step, plan.instances);
  for (const planned of outside) {
    session.setOutputs(step.id, plan.multi, planned.instance.outputKey, {});
    session.emit({ type: 'step.skipped', ...refOf(session, step, planned.instance), reason: 'limit', ...(planned.outside === undefined ? {} : { detail: planned.outside }) });
  }
  if (inside.length === 0 && outside.length > 0) return 'skipped';
  const concurrency = step.concurrency ?? Math.max(1, inside.length);
  const refused = await admitTogether(session, step, action, inside, concurrency);
  if (refused) return 'failed';
  const limit = pLimit(concurrency);
  const maxFailures = step.maxFailures === undefined ? undefined : toleratedFailures(step.maxFailures, inside.length);
  let failures = 0;
  const outcomes = await Promise.all(
    inside.map((planned) =>
      limit(async (): Promise<InstanceOutcome | 'not-started'> => {
        if (session.signal.aborted || !session.lockHeld()) return 'not-started';
        if (maxFailures !== undefined && failures > maxFailures) {
          session.emit({ type: 'step.skipped', ...refOf(session, step, planned.instance), reason: 'max-failures', detail: `${failures} of ${inside.length} failed, ${maxFailures} tolerated` });
          return 'failed';
        }
        const outcome = await runInstance(session, step, action, planned, plan.multi, confirm);
        if (outcome === 'failed') failures += 1;
        return outcome;
      }),
    ),
  );
  if (outcomes.includes('aborted') || outcomes.includes('not-started')) return 'aborted';
  if (outcomes.includes('failed')) {
    const tolerated = maxFailures !== undefined && failures <= maxFailures;
    if (!tolerated) session.stopped = true;
    return tolerated ? 'tolerated' : 'failed';
  }
  if (outcomes.includes('tolerated')) return 'tolerated';
  return outcomes.every((o) => o === 'skipped') ? 'skipped' : 'succeeded';
}

/**
 * Instances `--limit` leaves out are skipped, except those an earlier start of the run finished: their
 * outputs are restored as any finished instance's are.
 */
function byLimit(session: RunSession, step: Step, instances: readonly InstancePlan[]): { inside: InstancePlan[]; outside: InstancePlan[] } {
  const inside: InstancePlan[] = [];
  const outside: InstancePlan[] = [];
  for (const planned of instances) {
    const done = session.resume?.state.instances.get(refOf(session, step, planned.instance).instance)?.status === 'succeeded';
    (planned.outside === undefined || done ? inside : outside).push(planned);
  }
  return { inside, outside };
}

/**
 * The quorum gate's look at the whole step before any instance starts: instances that together would
 * lose the majority are refused at once, every one of them, with nothing done. True when refused.
 */
async function admitTogether(
  session: RunSession,
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  instances: readonly InstancePlan[],
  concurrency: number,
): Promise<boolean> {
  const gate = session.quorum;
  if (gate === undefined || action.quorumEffect === undefined || instances.length < 2) return false;
  const requests: EffectRequest[] = [];
  for (const { instance, args } of instances) {
    const ref = refOf(session, step, instance);
    // Restored instances do not run again; an instance whose `with` failed fails on its own.
    if (session.resume?.state.instances.get(ref.instance)?.status === 'succeeded' || !args.ok) continue;
    const effect = action.quorumEffect(args.value, instance.target);
    if (effect === undefined) continue;
    requests.push({ by: ref.instance, effect, allowQuorumLoss: step.allowQuorumLoss, log: (line) => session.emit({ type: 'step.log', ...ref, stream: 'info', line }) });
  }
  try {
    await gate.admitStep(session.prefix + step.id, requests, concurrency);
    return false;
  } catch (e) {
    if (!(e instanceof RunbookError && e.code === 'GUARD_REFUSED')) throw e;
    session.refusal ??= e;
    session.stopped = true;
    for (const { instance } of instances) {
      const ref = refOf(session, step, instance);
      if (session.resume?.state.instances.get(ref.instance)?.status === 'started') continue;
      session.emit({ type: 'step.skipped', ...ref, reason: 'refused', detail: e.message });
    }
    return true;
  }
}

function whereOf(session: RunSession, step: Step): Where {
  return { runbook: session.runbook, step, prefix: session.prefix };
}

function refOf(session: RunSession, step: Step, instance: Instance): StepInstanceRef {
  const ref = { step: session.prefix + step.id, instance: session.prefix + instance.id, target: targetName(instance.target) };
  return instance.key === undefined ? ref : { ...ref, key: instance.key };
}

async function runInstance(
  session: RunSession,
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  planned: InstancePlan,
  multi: boolean,
  confirm: (() => Promise<void>) | undefined,
): Promise<InstanceOutcome> {
  const { instance, context: ctx } = planned;
  const ref = refOf(session, step, instance);
  const prior = session.resume?.state.instances.get(ref.instance);
  if (prior?.status === 'succeeded' && prior.secretOutputs.length === 0) {
    session.setOutputs(step.id, multi, instance.outputKey, prior.outputs ?? {});
    session.emit({ type: 'step.log', ...ref, stream: 'info', line: 'done in an earlier attempt; outputs restored from the journal' });
    return 'succeeded';
  }
  const where = whereOf(session, step);
  // Output of steps with secret outputs is held back until the secrets are known and can be masked.
  const held: { stream: 'stdout' | 'stderr' | 'info'; line: string }[] = [];
  const hold = secretNames(step, action).length > 0;
  const context = actionContext({
    mode: 'run',
    step,
    where,
    target: instance.target,
    context: ctx,
    ports: { ...session.ports, prompt: journaledPrompt(session, ref.instance) },
    runDir: session.runDir,
    inventory: session.inventory,
    log: (stream, line) => {
      if (hold) held.push({ stream, line });
      else session.emit({ type: 'step.log', ...ref, stream, line });
    },
  });
  try {
    if (!planned.args.ok) throw planned.args.problem;
    const args = planned.args.value;
    const check = await runCheck(step, action, args, ctx, context, session.signal, where);
    if (check?.satisfied === true) {
      session.setOutputs(step.id, multi, instance.outputKey, {});
      session.emit({ type: 'step.skipped', ...ref, reason: 'check', ...(check.detail === undefined ? {} : { detail: check.detail }) });
      return 'skipped';
    }
    if (prior?.status === 'started' && check === undefined && !action.idempotent) {
      await allowRerun(session, ref.step, ref.instance, prior.startedAt);
    }
    if (action.guard !== undefined) {
      await callWithTimeout(action, args, context, session.signal, step.timeoutMs, 'guard');
    }
    const effect = session.quorum === undefined ? undefined : action.quorumEffect?.(args, instance.target);
    const admitted: Admitted | undefined =
      effect === undefined
        ? undefined
        : await session.quorum?.admit({ by: ref.instance, effect, allowQuorumLoss: step.allowQuorumLoss, log: (line) => context.log('info', line) });
    let outcome: InstanceOutcome | undefined;
    try {
      await confirm?.();
      outcome = await attempts(session, step, action, instance, ref, args, ctx, context, multi, held, effect);
    } finally {
      admitted?.end(outcome === undefined ? 'not-run' : outcome === 'succeeded' ? 'succeeded' : 'failed');
    }
    const started = outcome === 'succeeded' ? action.startsNode?.(args, instance.target) : undefined;
    if (started !== undefined) session.quorum?.started(started);
    return outcome;
  } catch (e) {
    if (session.signal.aborted) return 'aborted';
    if (e instanceof RunbookError && (e.code === 'GATE_REFUSED' || e.code === 'GUARD_REFUSED')) {
      session.refusal ??= e;
      session.stopped = true;
      // A cut-off step stays "started" in the journal until someone allows it to run again.
      if (prior?.status !== 'started') session.emit({ type: 'step.skipped', ...ref, reason: 'refused', detail: e.message });
      return 'failed';
    }
    return fail(session, step, ref, e, 0, 0);
  }
}

async function attempts(
  session: RunSession,
  step: Step,
  action: ActionDefinition<Record<string, unknown>>,
  instance: Instance,
  ref: StepInstanceRef,
  args: Record<string, unknown>,
  ctx: Record<string, unknown>,
  context: Omit<ActionContext, 'signal'>,
  multi: boolean,
  held: { stream: 'stdout' | 'stderr' | 'info'; line: string }[],
  effect: QuorumEffect | undefined,
): Promise<InstanceOutcome> {
  const policy = step.retry ?? { attempts: 1, delayMs: 0, backoff: 1 };
  let delay = policy.delayMs;
  for (let attempt = 1; ; attempt += 1) {
    const started = session.ports.clock.now();
    // Before the instance is recorded as started: a host that is not the node refuses it like a guard,
    // and a node that does not answer yet fails the attempt, under the step's retry.
    const unverified = await unverifiedNode(session, action, args, instance);
    if (unverified === undefined) {
      session.emit({ type: 'step.started', ...ref, attempt, ...(effect === undefined ? {} : { quorum: effect }) });
      await session.flush();
    }
    try {
      if (unverified !== undefined) throw unverified;
      const result = await callWithTimeout(action, args, context, session.signal, step.timeoutMs);
      const outputs = outputsOf(step, result, ctx, whereOf(session, step));
      const secrets = secretNames(step, action);
      for (const name of secrets) session.masker.add(outputs[name]);
      for (const line of held.splice(0)) session.emit({ type: 'step.log', ...ref, ...line });
      session.setOutputs(step.id, multi, instance.outputKey, outputs);
      const journaled = Object.fromEntries(Object.entries(outputs).filter(([k]) => !secrets.includes(k)));
      session.emit({
        type: 'step.succeeded',
        ...ref,
        attempt,
        durationMs: session.ports.clock.now() - started,
        outputs: journaled,
        secretOutputs: secrets,
      });
      return 'succeeded';
    } catch (e) {
      for (const line of held.splice(0)) session.emit({ type: 'step.log', ...ref, ...line });
      if (session.signal.aborted) return 'aborted';
      // A guard or a person saying no (a `manual` step answered no) refuses: exit 3, never retried.
      const refused = e instanceof RunbookError && (e.code === 'GUARD_REFUSED' || e.code === 'GATE_REFUSED');
      if (refused) {
        session.refusal ??= e;
        session.stopped = true;
      }
      if (attempt < policy.attempts && !refused) {
        session.emit({ type: 'step.retrying', ...ref, attempt: attempt + 1, maxAttempts: policy.attempts, delayMs: delay, error: describeError(e) });
        try {
          await session.ports.clock.sleep(delay, session.signal);
        } catch {
          return 'aborted';
        }
        delay = Math.round(delay * policy.backoff);
        continue;
      }
      return fail(session, step, ref, e, attempt, session.ports.clock.now() - started);
    }
  }
}

/**
 * `on: manager` / `on: leader` on resume: a step every journaled instance of which succeeded on one node is
 * planned on that node again, from the journal, without asking the cluster: by now the cluster may be off
 * (an interrupted shutdown), and the step has nothing left to do anyway.
 */
function resumedLive(session: RunSession, step: Step): LiveManagerResolver | undefined {
  const { live, inventory } = session;
  const state = session.resume?.state;
  if (state === undefined || live === undefined) return live;
  // Asked only for `on: manager`/`leader`: the journal is not scanned for every step of a long runbook.
  return (kind) => {
    const id = session.prefix + step.id;
    const mine = [...state.instances.values()].filter((i) => i.step === id);
    const where = new Set(mine.map((i) => i.target));
    const done = mine.length > 0 && where.size === 1 && mine.every((i) => i.status === 'succeeded');
    const node = done ? inventory?.nodes.find((n) => where.has(n.name)) : undefined;
    return node === undefined ? live(kind) : Promise.resolve(node);
  };
}

/** Why the instance's node cannot be shown to be the one answering, when a retry may tell; throws a refusal. */
async function unverifiedNode(
  session: RunSession,
  action: ActionDefinition<Record<string, unknown>>,
  args: Record<string, unknown>,
  instance: Instance,
): Promise<unknown> {
  try {
    await session.identity?.verify(action, args, instance.target);
    return undefined;
  } catch (e) {
    if (e instanceof RunbookError && e.code === 'GUARD_REFUSED') throw e;
    return e;
  }
}

function fail(
  session: RunSession,
  step: Step,
  ref: StepInstanceRef,
  e: unknown,
  attempt: number,
  durationMs: number,
): InstanceOutcome {
  const error = e instanceof RunbookError ? e : undefined;
  // Anything else thrown by an action is a bug: its trace goes to the run directory, a line to the operator.
  const message = error === undefined ? reportInternal(e, (t) => session.masker.mask(t), session.runDir) : describeError(e);
  session.emit({
    type: 'step.failed',
    ...ref,
    attempt,
    durationMs,
    error: message,
    code: error?.code ?? 'STEP_FAILED',
    details: error?.details ?? [],
    tolerated: step.continueOnError,
  });
  return step.continueOnError ? 'tolerated' : 'failed';
}
