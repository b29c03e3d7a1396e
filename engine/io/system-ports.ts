/**
 * The real ports of a CLI process: zx for local commands, the wall clock, the terminal for questions.
 */
import type { Ports } from '../actions/define.js';
import { systemClock } from './clock.js';
import { createTtyPrompt } from './tty-prompt.js';
import { createZxShell } from './zx-shell.js';

export function systemPorts(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Ports {
  return { shell: createZxShell(), clock: systemClock, prompt: createTtyPrompt(stdin, stderr) };
}
