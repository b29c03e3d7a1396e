/**
 * Yes/no questions on the terminal. Only an explicit `yes` (or `y`) counts as yes.
 */
import { createInterface } from 'node:readline/promises';
import type { PromptPort } from './ports.js';
import { RunbookError } from '../errors.js';

export function createTtyPrompt(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
): PromptPort {
  return {
    interactive: input.isTTY === true,
    async confirm(question, signal) {
      const rl = createInterface({ input, output, terminal: input.isTTY === true });
      try {
        const answer = await rl.question(`${question} [yes/no] `, { signal });
        return /^(y|yes)$/i.test(answer.trim());
      } catch (e) {
        if (signal.aborted) throw new RunbookError('ABORTED', 'interrupted');
        throw e;
      } finally {
        rl.close();
      }
    },
  };
}
