/**
 * `manual`: something only a person can do (cable a node, flip a breaker). The instructions are
 * shown and the step waits for a yes at the terminal. Without a terminal it is refused before
 * anything happens (exit 3), naming what the person must do; `--yes` does not answer it.
 */
import { RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';

export interface ManualWith {
  instructions: string;
  question?: string;
}

export const manual = defineAction<ManualWith>({
  name: 'manual',
  description: 'Tell the operator what to do and wait for their confirmation at the terminal.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['instructions'],
    properties: {
      instructions: { type: 'string', minLength: 1, description: 'What the person must do.' },
      question: { type: 'string', description: 'The yes/no question (default "Done?").' },
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'local',
}, {
  plan(args) {
    return [{ summary: `ask the operator: ${args.instructions}` }];
  },
  async guard(args, ctx) {
    if (!ctx.ports.prompt.interactive) {
      throw new RunbookError('GATE_REFUSED', `a person must do this and confirm it at a terminal: ${args.instructions} (stdin is not a terminal)`);
    }
  },
  async run(args, ctx) {
    for (const line of args.instructions.split('\n')) ctx.log('info', line);
    const yes = await ctx.ports.prompt.confirm(args.question ?? `${args.instructions.split('\n')[0] ?? ''} — done?`, ctx.signal);
    if (!yes) throw new RunbookError('GATE_REFUSED', `the operator did not confirm: ${args.instructions}`);
    return { confirmed: true };
  },
});
