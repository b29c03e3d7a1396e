/**
 * `action: runbook`: another runbook run as one step of this one. Its steps run in a child scope of
 * the same run — same journal, same lock, same gates answered — with ids prefixed by the calling
 * step (`provision/join`), so resume finds them. When the child finishes, the calling step records
 * the child's outputs (`steps.<id>.outputs.<child step>.<name>`) so a resume can skip it whole.
 */
import type { Step } from '../dsl/types.js';
import { resolveInputValues } from '../dsl/inputs.js';
import type { Runbook } from '../dsl/types.js';
import { subRunbookFile } from '../dsl/sub-runbook-file.js';
import { loadRunbook } from '../dsl/validate.js';
import { actionDescriptors } from '../actions/index.js';
import { RunbookError } from '../errors.js';
import { interpolate } from '../expr/interpolate.js';
import { executionOrder } from '../graph/order.js';
import { describeDiagnostic } from '../dsl/locate.js';
import { baseContext, instanceContext, type BaseContext } from '../plan/context.js';
import { passGate } from './gates.js';
import { located } from '../plan/located.js';
import type { RunSession, StepOutcome } from './session.js';

/**
 * Loads the child runbook and checks the inputs given to it; every problem is an INVALID error.
 * A plan passes `isPlaceholder` for values only known at run time: those are not type-checked.
 */
export function loadSubRunbook(
  caller: Runbook,
  step: Step,
  args: { name: string; inputs?: Record<string, unknown> },
  isPlaceholder: (value: unknown) => boolean = () => false,
): { runbook: Runbook; inputs: Record<string, unknown> } {
  const file = subRunbookFile(caller.file, args.name);
  if (file === undefined) {
    throw new RunbookError(
      'INVALID',
      `step "${step.id}" calls runbook "${args.name}", which is neither beside ${caller.file} nor a built-in runbook; write the name of one (runbook list) or a path to a .yaml file`,
    );
  }
  const loaded = loadRunbook(file, { actions: actionDescriptors });
  if (loaded.value === undefined) {
    const first = loaded.diagnostics[0];
    throw new RunbookError('INVALID', `step "${step.id}" calls runbook "${args.name}", which is invalid`, {
      details: first === undefined ? [] : [describeDiagnostic(first)],
    });
  }
  const given = Object.entries(args.inputs ?? {});
  const deferred = Object.fromEntries(given.filter(([, v]) => isPlaceholder(v)));
  const checked = resolveInputValues(
    loaded.value,
    Object.fromEntries(given.filter(([, v]) => !isPlaceholder(v))),
    step.source,
  );
  // A required input given a run-time value is not missing, only unknown yet.
  const deferredMissing = (message: string): boolean => Object.keys(deferred).some((k) => message.includes(`input "${k}"`));
  const problems = checked.diagnostics.filter(
    (d) => d.severity === 'error' && !(d.code === 'RB_INPUT_MISSING' && deferredMissing(d.message)),
  );
  if (problems.length > 0) {
    throw new RunbookError('INVALID', `step "${step.id}" calls runbook "${args.name}" with bad inputs`, {
      details: problems.map((d) => d.message + (d.hint === undefined ? '' : `; ${d.hint}`)),
    });
  }
  return { runbook: loaded.value, inputs: { ...defaultsOf(loaded.value), ...checked.value, ...deferred } };
}

function defaultsOf(runbook: Runbook): Record<string, unknown> {
  return Object.fromEntries(runbook.inputs.filter((i) => i.default !== undefined).map((i) => [i.name, structuredClone(i.default)]));
}

export function childContext(session: RunSession, runbook: Runbook, inputs: Record<string, unknown>): BaseContext {
  return baseContext({
    inputs,
    inventory: session.inventory,
    runId: session.runId,
    runDir: session.runDir,
    envAllowList: runbook.env,
    env: session.shared.env,
  });
}

/** Runs the runbook a step calls; `args` is the step's `with` as the planner interpolated it. */
export async function runSubRunbook(session: RunSession, step: Step, args: { name: string; inputs?: Record<string, unknown> }): Promise<StepOutcome> {
  const ref = { step: session.prefix + step.id, instance: session.prefix + step.id, target: 'local' };
  const prior = session.resume?.state.instances.get(ref.instance);
  if (prior?.status === 'succeeded' && prior.secretOutputs.length === 0) {
    session.setOutputs(step.id, false, '', prior.outputs ?? {});
    session.emit({ type: 'step.log', ...ref, stream: 'info', line: 'done in an earlier attempt; outputs restored from the journal' });
    return 'succeeded';
  }
  const { runbook, inputs } = loadSubRunbook(session.runbook, step, args);
  for (const input of runbook.inputs) if (input.secret) session.masker.add(inputs[input.name]);
  const base = childContext(session, runbook, inputs);
  const child = session.child(step.id, runbook, base);
  const started = session.ports.clock.now();
  const confirm = runbook.confirm;
  if (confirm !== undefined) {
    const question = String(located({ runbook, prefix: child.prefix }, ['confirm'], () => interpolate(confirm, instanceContext(base, {}))));
    await passGate(child, `runbook:${child.prefix}`, question);
  }
  const outcomes = await session.shared.schedule(child, executionOrder(runbook.steps));
  for (const bad of ['aborted', 'failed', 'not-started'] as const) if (outcomes.includes(bad)) return bad;
  const secretSteps: string[] = runbook.steps.filter((s) => s.secretOutputs.length > 0).map((s) => s.id);
  const outputs = Object.fromEntries(Object.entries(base.steps).map(([id, v]) => [id, v.outputs]));
  session.setOutputs(step.id, false, '', outputs);
  session.emit({
    type: 'step.succeeded',
    ...ref,
    attempt: 1,
    durationMs: session.ports.clock.now() - started,
    outputs: Object.fromEntries(Object.entries(outputs).filter(([id]) => !secretSteps.includes(id))),
    secretOutputs: secretSteps,
  });
  await session.flush();
  return outcomes.includes('tolerated') ? 'tolerated' : 'succeeded';
}
