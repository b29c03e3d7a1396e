/**
 * `wait.until`: run a read-only probe action again and again until an expression over its result
 * holds. `until` is a late field: the runner leaves it as written and it is evaluated here after
 * every probe, with `result` (the probe's output) beside everything else a step can read.
 *
 *   action: wait.until
 *   with:
 *     probe: { action: docker.service.ls, with: { name: web } }
 *     until: "${{ result.services.all(s, s.replicas.running == inputs.replicas) }}"
 *     timeout: 5m
 *     progress: "running: ${{ result.services.map(s, s.replicas.running) }}"
 *     message: "web did not reach ${{ inputs.replicas }} replicas: ${{ result.services }}"
 *
 * `progress` and `message` are late fields too, evaluated with the last probe's `result`: `progress` is shown
 * whenever its text changes while the wait goes on (without it, the `until` expression is), and `message` is
 * what a timeout says (`result` null when no probe answered) — the place to tell the operator what the wait
 * not ending means and what to do next.
 */
import { compileActionSchema } from '../../dsl/compiled-schemas.js';
import { describeError, isRunbookError, RunbookError } from '../../errors.js';
import { singleExpression } from '../../expr/template.js';
import type { ActionContext, ActionDefinition, PlanLine } from '../define.js';
import { defineAction, onlyReads } from '../define.js';
import { durationMs, durationSchema, pollUntil } from '../poll.js';

export interface WaitUntilWith {
  probe: { action: string; with?: Record<string, unknown> };
  until: string;
  interval?: string;
  timeout?: string;
  progress?: string;
  message?: string;
}

/** Failures a probe may show while the awaited state is not there yet (a daemon restarting, a node booting). */
const TRANSIENT = new Set(['UNREACHABLE', 'TIMEOUT', 'DOCKER_API', 'COMMAND_FAILED', 'NOT_FOUND', 'STEP_FAILED']);

/**
 * The probe and its `with`. `probe` is a late field: its values are interpolated here, with the shell
 * quoting the probe's own command fields need, which the runner cannot know for a nested action.
 */
function probeOf(args: WaitUntilWith, ctx: ActionContext): { action: ActionDefinition<Record<string, unknown>>; with: Record<string, unknown> } {
  const action = ctx.action(args.probe.action);
  if (action === undefined) throw new RunbookError('INVALID', `wait.until: unknown probe action "${args.probe.action}"`);
  const probeWith: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args.probe.with ?? {})) {
    probeWith[k] = action.lateFields?.includes(k) === true ? v : ctx.interpolate(v, { shell: action.shellFields?.includes(k) === true });
  }
  if (!onlyReads(action, probeWith)) {
    throw new RunbookError('INVALID', `wait.until: ${args.probe.action} changes things; a probe must be read-only (docker.service.ls, http.probe, ssh.run with read_only: true …)`);
  }
  const validate = compileActionSchema(action.with as object);
  if (!validate(probeWith)) {
    const first = validate.errors?.[0];
    throw new RunbookError('INVALID', `wait.until: probe.with${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`);
  }
  if (singleExpression(args.until) === undefined) {
    throw new RunbookError('INVALID', `wait.until: until must be one \${{ }} expression over result, e.g. "\${{ result.count == 0 }}"`);
  }
  return { action, with: probeWith };
}

function holds(args: WaitUntilWith, result: unknown, ctx: ActionContext): boolean {
  const value = ctx.evaluate(args.until, { result });
  if (typeof value !== 'boolean') throw new RunbookError('INVALID', `wait.until: until must give true or false, it gave ${JSON.stringify(value)}`);
  return value;
}

/** `seen.result`: the last probe's result, for `message`. */
async function lookOnce(args: WaitUntilWith, probe: ReturnType<typeof probeOf>, ctx: ActionContext, seen: { result: unknown }) {
  let result: unknown;
  try {
    result = await probe.action.run(probe.with, ctx);
  } catch (e) {
    if (ctx.signal.aborted || !isRunbookError(e) || !TRANSIENT.has(e.code)) throw e;
    return { done: false as const, waiting: `probe failed: ${describeError(e)}` };
  }
  seen.result = result;
  if (holds(args, result, ctx)) return { done: true as const, value: result };
  return { done: false as const, waiting: args.progress === undefined ? `${args.until} is false` : worded(args.progress, ctx, result) };
}

/** A late field's text, evaluated with `result`. */
function worded(text: string, ctx: ActionContext, result: unknown): string {
  const value = ctx.interpolate(text, { extra: { result: result ?? null } });
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The timeout as `message` words it, the poll's own account kept as details. */
function explained(e: unknown, args: WaitUntilWith, ctx: ActionContext, result: unknown): unknown {
  if (args.message === undefined || !isRunbookError(e) || e.code !== 'TIMEOUT' || ctx.signal.aborted) return e;
  return new RunbookError('TIMEOUT', worded(args.message, ctx, result), { details: [e.message], retryable: true });
}

export const waitUntil = defineAction<WaitUntilWith>({
  name: 'wait.until',
  description: 'Run a read-only probe action until an expression over its result (`result`) is true.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['probe', 'until'],
    properties: {
      probe: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: {
          action: { type: 'string', description: 'A read-only action, e.g. docker.service.ls or http.probe.' },
          with: { type: 'object', description: 'Its `with`.' },
        },
      },
      until: { type: 'string', description: 'A ${{ }} expression over `result` (the probe’s output), evaluated after every probe, e.g. "${{ result.count == 0 }}".' },
      interval: durationSchema('Time between probes (default 2s).'),
      timeout: durationSchema('Give up after this long (default 10m).'),
      progress: { type: 'string', description: 'What is shown while waiting, whenever it changes; `result` is the last probe’s, e.g. "ready: ${{ result.ready }}". Default: the `until` expression.' },
      message: { type: 'string', description: 'What a timeout says, e.g. what it means and what to do; `result` is the last probe’s (null when none answered).' },
    },
  },
  lateFields: ['until', 'probe', 'progress', 'message'],
  resultFields: ['until', 'progress', 'message'],
  mutating: false,
  idempotent: true,
  defaultTarget: 'local',
}, {
  async plan(args, ctx) {
    const probe = probeOf(args, ctx);
    const lines: PlanLine[] = await probe.action.plan(probe.with, ctx);
    return [
      { summary: `every ${args.interval ?? '2s'}${args.timeout === undefined ? '' : ` for at most ${args.timeout}`}, until ${args.until}:` },
      ...lines.map((l) => ({ ...l, summary: `  ${l.summary}` })),
    ];
  },
  async run(args, ctx) {
    const probe = probeOf(args, ctx);
    let attempts = 0;
    const timeoutMs = durationMs(args.timeout, 600_000);
    const seen: { result: unknown } = { result: undefined };
    try {
      const result = await pollUntil(
        ctx,
        { what: `wait until ${args.until}`, intervalMs: durationMs(args.interval, 2000), ...(timeoutMs === undefined ? {} : { timeoutMs }) },
        () => {
          attempts += 1;
          return lookOnce(args, probe, ctx, seen);
        },
      );
      return { result, attempts };
    } catch (e) {
      throw explained(e, args, ctx, seen.result);
    }
  },
});
