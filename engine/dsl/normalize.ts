/**
 * The written form of a runbook (what the schema accepts) and its conversion to the resolved form in
 * `types.ts`: `needs` always a list, durations in milliseconds, defaults filled in, positions attached.
 * Runs only on data the shape check accepted.
 */
import { isNode, isSeq } from 'yaml';
import type { SourceRef } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { parseFailureLimit } from './failure-limit.js';
import { lazyRef, nodeAt, refAt, refAtKey, refAtOffset } from './positions.js';
import type { YamlSource } from './positions.js';
import type { InputDecl, InputType, RetryPolicy, Runbook, Step, StepCheck, StepId } from './types.js';

/** An input as written under `inputs:`. */
export interface WrittenInput {
  readonly type: InputType;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly secret?: boolean;
  readonly description?: string;
  readonly enum?: readonly unknown[];
}

/** A probe as written under `check:` in its mapping form. */
export interface WrittenCheck {
  readonly action: string;
  readonly with?: Record<string, unknown>;
  readonly on?: string | readonly string[];
  readonly satisfied?: string;
}

/** A step as written. */
export interface WrittenStep {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly action: string;
  readonly with?: Record<string, unknown>;
  readonly on?: string | readonly string[];
  readonly needs?: string | readonly string[];
  readonly when?: string;
  readonly foreach?: string | readonly unknown[];
  readonly concurrency?: number;
  readonly max_failures?: number | string;
  readonly retry?: { readonly attempts: number; readonly delay?: string; readonly backoff?: number };
  readonly timeout?: string;
  readonly continue_on_error?: boolean;
  readonly confirm?: string;
  readonly check?: string | WrittenCheck;
  readonly outputs?: Record<string, string>;
  readonly secret_outputs?: readonly string[];
  readonly allow_quorum_loss?: boolean;
}

/** A runbook as written. */
export interface WrittenRunbook {
  readonly name: string;
  readonly description?: string;
  readonly confirm?: string;
  readonly drill?: { readonly prepare?: string };
  readonly inputs?: Record<string, WrittenInput>;
  readonly env?: readonly string[];
  readonly steps: readonly WrittenStep[];
}

/** Converts a shape-checked runbook to its resolved form. */
export function normalizeRunbook(written: WrittenRunbook, src: YamlSource, hash: string): Runbook {
  // One walk to the steps node instead of one per step: a 10,000-step runbook asks 10,000 times.
  let stepNodes: ReturnType<typeof nodeAt> | null = null;
  const stepAt = (index: number): SourceRef =>
    lazyRef(src.file, () => {
      stepNodes ??= nodeAt(src, ['steps']);
      const item = isSeq(stepNodes) ? stepNodes.items[index] : undefined;
      return isNode(item) && item.range ? refAtOffset(src, item.range[0]) : refAt(src, ['steps', index]);
    });
  return defined({
    name: written.name,
    description: written.description,
    confirm: written.confirm,
    drill: written.drill,
    inputs: Object.entries(written.inputs ?? {}).map(([name, input]) =>
      normalizeInput(name, input, lazyRef(src.file, () => refAtKey(src, ['inputs', name]))),
    ),
    env: [...(written.env ?? [])],
    steps: written.steps.map((step, i) => normalizeStep(step, src, i, stepAt(i))),
    file: src.file,
    hash,
  });
}

function normalizeInput(name: string, input: WrittenInput, source: SourceRef): InputDecl {
  return defined({
    name,
    type: input.type,
    required: input.required ?? false,
    default: input.default,
    secret: input.secret ?? false,
    description: input.description,
    enum: input.enum,
    source,
  });
}

function normalizeStep(step: WrittenStep, src: YamlSource, index: number, source: SourceRef): Step {
  const needs = step.needs === undefined ? [] : typeof step.needs === 'string' ? [step.needs] : [...step.needs];
  return defined({
    id: step.id as StepId,
    name: step.name,
    description: step.description,
    action: step.action,
    with: step.with ?? {},
    on: step.on,
    needs: needs as StepId[],
    when: step.when,
    foreach: step.foreach,
    concurrency: step.concurrency,
    maxFailures: step.max_failures === undefined ? undefined : parseFailureLimit(step.max_failures),
    retry: step.retry === undefined ? undefined : normalizeRetry(step.retry),
    timeoutMs: step.timeout === undefined ? undefined : (parseDuration(step.timeout) ?? 0),
    continueOnError: step.continue_on_error ?? false,
    confirm: step.confirm,
    check:
      step.check === undefined ? undefined : normalizeCheck(step.check, lazyRef(src.file, () => refAt(src, ['steps', index, 'check']))),
    outputs: step.outputs ?? {},
    secretOutputs: [...(step.secret_outputs ?? [])],
    allowQuorumLoss: step.allow_quorum_loss ?? false,
    source,
  });
}

function normalizeRetry(retry: NonNullable<WrittenStep['retry']>): RetryPolicy {
  return {
    attempts: retry.attempts,
    delayMs: retry.delay === undefined ? 0 : (parseDuration(retry.delay) ?? 0),
    backoff: retry.backoff ?? 1,
  };
}

function normalizeCheck(check: string | WrittenCheck, source: SourceRef): StepCheck {
  if (typeof check === 'string') return { type: 'expression', expression: check, source };
  return defined({
    type: 'action' as const,
    action: check.action,
    with: check.with ?? {},
    on: check.on,
    satisfied: check.satisfied,
    source,
  });
}

/** Drops keys whose value is undefined, so optional fields are absent rather than present-and-undefined. */
function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
