import type { ClockPort } from './ports.js';
import { RunbookError } from '../errors.js';

export const systemClock: ClockPort = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(new RunbookError('ABORTED', 'interrupted'));
        return;
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new RunbookError('ABORTED', 'interrupted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};
