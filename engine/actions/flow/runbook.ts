/**
 * `runbook`: call another runbook as one step. The runner executes it (its steps join this run's
 * graph and journal, see runner/sub-runbook.ts); this definition gives it a `with` schema and a plan.
 */
import { RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';

export interface RunbookWith {
  name: string;
  inputs?: Record<string, unknown>;
}

export const runbook = defineAction<RunbookWith>({
  name: 'runbook',
  description: 'Run another runbook as a step; its steps are journaled in this run.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'A runbook beside this one or a built-in one (`join-node`), or a path to a .yaml file.' },
      inputs: { type: 'object', description: 'Its inputs; expressions allowed.' },
    },
  },
  mutating: true,
  idempotent: false,
  defaultTarget: 'local',
}, {
  plan: (args) => [{ summary: `run runbook ${args.name}` }],
  run: () => Promise.reject(new RunbookError('INTERNAL', 'the runbook action is executed by the runner itself')),
});
