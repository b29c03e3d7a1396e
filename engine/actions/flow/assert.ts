/**
 * `assert`: fails the step unless `that` is true. Costs nothing, so it is also the no-op used by
 * the benchmark and by runbooks that only want a checkpoint.
 */
import { RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';

export interface AssertWith {
  that: boolean;
  message?: string;
}

export const assert = defineAction<AssertWith>({
  name: 'assert',
  description: 'Fail unless a condition holds (usually an expression).',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: { type: 'boolean', description: 'The condition; usually `${{ … }}`.' },
      message: { type: 'string', description: 'Shown when the condition is false.' },
    },
  },
  mutating: false,
  planReads: true,
  decidesRun: true,
  idempotent: true,
  defaultTarget: 'local',
}, {
  plan: (args) => [{ summary: `assert ${String(args.that)}` }],
  async run(args) {
    if (args.that !== true) {
      throw new RunbookError('STEP_FAILED', args.message ?? 'assertion failed');
    }
    return { ok: true };
  },
});
