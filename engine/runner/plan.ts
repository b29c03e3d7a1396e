/**
 * The dry-run: the expanded graph in execution order, each instance with its target and the exact
 * command or API call it would make. Values produced by earlier steps are unknown until run time and
 * shown as `<output of STEP>`. Nothing here can write: actions plan with ports that refuse writes,
 * and only declared read-only probes (`check`) touch the world.
 */
import { setMaxListeners } from 'node:events';
import { dirname } from 'node:path';
import type { ActionContext, PlanLine, Ports } from '../actions/define.js';
import { getAction } from '../actions/index.js';
import type { Runbook } from '../dsl/types.js';
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
import { baseContext, instanceContext, type BaseContext } from './context.js';
import { expandStep } from './instances.js';

export interface PlannedInstance {
  readonly instance: string;
  readonly target: string;
  readonly lines: readonly PlanLine[];
  /** `satisfied` (would be skipped), `would run`, or why the probe could not tell. */
  readonly check?: string;
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

function placeholderFor(refs: readonly Reference[]): string | undefined {
  const step = refs.find((r) => r.path[0] === 'steps');
  return step === undefined ? undefined : `<output of ${step.path[1] ?? '?'}>`;
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
  await planScope(request, runbook, base, '', masker, steps);
  const visibleInputs = Object.fromEntries(
    Object.entries(request.inputs).map(([k, v]) => [k, runbook.inputs.find((i) => i.name === k)?.secret === true ? '***' : v]),
  );
  return {
    runbook: runbook.name,
    ...(runbook.description === undefined ? {} : { description: runbook.description }),
    ...(runbook.confirm === undefined ? {} : { confirm: String(interpolate(runbook.confirm, instanceContext(base, {}), UNKNOWN)) }),
    inputs: visibleInputs,
    steps,
  };
}

const UNKNOWN: InterpolateOptions = { unknown: placeholderFor };

const isPlaceholder = (value: unknown): boolean => typeof value === 'string' && value.startsWith('<output of ');

/** Plans the steps of one runbook; a sub-runbook's steps follow its calling step, ids prefixed. */
async function planScope(
  request: PlanRequest,
  runbook: Runbook,
  base: BaseContext,
  prefix: string,
  masker: SecretMasker,
  steps: PlannedStep[],
): Promise<void> {
  for (const step of executionOrder(runbook.steps)) {
    const action = getAction(step.action);
    if (action === undefined) throw new RunbookError('INVALID', `unknown action "${step.action}"`);
    const head = {
      step: prefix + step.id,
      name: step.name ?? step.id,
      action: step.action,
      mutating: action.mutating,
      needs: step.needs.map((n) => prefix + n),
      ...(step.confirm === undefined ? {} : { confirm: String(interpolate(step.confirm, instanceContext(base, {}), UNKNOWN)) }),
    };
    let when: PlannedStep['when'];
    if (step.when !== undefined) {
      const source = singleExpression(step.when) ?? step.when;
      const value =
        placeholderFor(references(source)) !== undefined
          ? 'decided at run time'
          : truthy(evaluate(source, instanceContext(base, {})))
            ? 'true'
            : 'false';
      when = { expression: step.when, value };
    }
    try {
      if (step.action === 'runbook') {
        const args = interpolate(step.with, instanceContext(base, {}), UNKNOWN) as { name: string; inputs?: Record<string, unknown> };
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
        await planScope(request, child.runbook, childBase, `${prefix}${step.id}/`, masker, steps);
        continue;
      }
      const expansion = await expandStep(step, action, base, request.inventory, request.live, UNKNOWN);
      const instances: PlannedInstance[] = [];
      for (const instance of expansion.instances) {
        const ctx = instanceContext(base, { item: instance.item, target: instance.target });
        const args: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(step.with)) {
          if (action.lateFields?.includes(k) === true) {
            args[k] = v;
            continue;
          }
          const quote = action.shellFields?.includes(k) === true ? { quote: request.readOnlyPorts.shell.quote } : {};
          args[k] = interpolate(v, ctx, { ...UNKNOWN, ...quote });
        }
        const actionContext: Omit<ActionContext, 'signal'> = {
          mode: 'plan',
          target: instance.target,
          ports: request.readOnlyPorts,
          runDir: '<run dir>',
          baseDir: dirname(runbook.file),
          allowQuorumLoss: step.allowQuorumLoss,
          evaluate: (expression, extra) => evaluate(singleExpression(expression) ?? expression, { ...ctx, ...extra }),
          ...(request.inventory === undefined ? {} : { inventory: request.inventory }),
          log: () => undefined,
        };
        const lines = await action.plan(args, { ...actionContext, signal: request.signal });
        let check: string | undefined;
        if (step.check !== undefined || action.check !== undefined) {
          const probeContext = { ...actionContext, ports: request.probePorts };
          check = await describeCheck(() => runCheck(step, action, args, ctx, probeContext, request.signal), args);
        }
        instances.push({
          instance: prefix + instance.id,
          target: targetName(instance.target),
          lines: masker.maskDeep(lines),
          ...(check === undefined ? {} : { check }),
        });
      }
      steps.push({
        ...head,
        ...(when === undefined ? {} : { when }),
        ...(expansion.deferred === undefined ? {} : { deferred: expansion.deferred }),
        instances,
      });
    } catch (e) {
      steps.push({ ...head, ...(when === undefined ? {} : { when }), instances: [], error: masker.mask(describeError(e)) });
    }
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
