/**
 * Confirmation gates. A gate is answered by a person at a TTY or by `--yes`; without either it is
 * refused (exit 3). An answer already in the journal is not asked again on resume.
 */
import { RunbookError } from '../errors.js';
import type { PromptPort } from '../io/ports.js';
import type { RunSession } from './session.js';

export async function passGate(session: RunSession, gate: string, question: string): Promise<void> {
  const earlier = session.resume?.state.gates.get(gate);
  if (earlier === true) return;
  let answer: boolean;
  let by: 'tty' | 'flag';
  if (session.yes) {
    answer = true;
    by = 'flag';
  } else if (session.ports.prompt.interactive) {
    answer = await session.ports.prompt.confirm(session.masker.mask(question), session.signal);
    by = 'tty';
  } else {
    throw new RunbookError(
      'GATE_REFUSED',
      `"${session.masker.mask(question)}" needs an answer: stdin is not a terminal; pass --yes to confirm`,
    );
  }
  session.emit({ type: 'gate.answered', gate, question, answer, by });
  await session.flush();
  if (!answer) throw new RunbookError('GATE_REFUSED', `not confirmed: ${session.masker.mask(question)}`);
}

/**
 * The prompt an action asks a person through (a `manual` step, power switched by hand): each answer is
 * journaled as the instance's gate `ask:INSTANCE`, so the journal says who confirmed what, and when. A resumed
 * action asks again: the answer was about that moment.
 */
export function journaledPrompt(session: RunSession, instance: string): PromptPort {
  const prompt = session.ports.prompt;
  return {
    interactive: prompt.interactive,
    async confirm(question, signal) {
      const masked = session.masker.mask(question);
      const answer = await prompt.confirm(masked, signal);
      session.emit({ type: 'gate.answered', gate: `ask:${instance}`, question: masked, answer, by: 'tty' });
      await session.flush();
      return answer;
    },
  };
}

/**
 * A step that started and never ended may have partly run. Only the operator may allow it to run again:
 * `--rerun STEP`, or a yes at the terminal. `--yes` does not answer this: it confirms plans, not guesses.
 */
export async function allowRerun(session: RunSession, stepId: string, instance: string, startedAt: string | undefined): Promise<void> {
  if (session.resume?.rerun.some((r) => r === stepId || r === instance)) return;
  const gate = `rerun:${instance}`;
  if (session.resume?.state.gates.get(gate) === true) return;
  const question = `${instance} started${startedAt === undefined ? '' : ` at ${startedAt}`} but never finished; it may have partly run. Run it again?`;
  if (!session.ports.prompt.interactive) {
    throw new RunbookError(
      'GATE_REFUSED',
      `${instance} started but never finished, and its action is not idempotent and has no check; ` +
        `look at what it did, then resume with --rerun ${stepId}`,
    );
  }
  const answer = await session.ports.prompt.confirm(question, session.signal);
  session.emit({ type: 'gate.answered', gate, question, answer, by: 'tty' });
  await session.flush();
  if (!answer) throw new RunbookError('GATE_REFUSED', `not run again: ${instance}`);
}
