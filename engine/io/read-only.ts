/**
 * Ports for plan mode. Writes are refused here, in io/, so a dry-run cannot change anything even
 * if an action forgets which mode it is in.
 */
import type { Ports } from '../actions/define.js';
import { RunbookError } from '../errors.js';

export function readOnlyPorts(ports: Ports): Ports {
  return {
    ...ports,
    shell: {
      quote: ports.shell.quote,
      run: (request) =>
        Promise.reject(new RunbookError('DRY_RUN_WRITE', `dry-run: refused to run a local command: ${request.command}`)),
    },
    prompt: {
      interactive: false,
      confirm: () => Promise.reject(new RunbookError('DRY_RUN_WRITE', 'dry-run: no questions are asked')),
    },
  };
}
