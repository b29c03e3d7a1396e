/**
 * The contract's exit codes, in one place.
 */
import type { RunbookError } from '../errors.js';
import type { RunStatus } from '../runner/events.js';

export const EXIT = { ok: 0, failed: 1, invalid: 2, refused: 3, interrupted: 130 } as const;

export function exitForStatus(status: RunStatus): number {
  switch (status) {
    case 'succeeded':
      return EXIT.ok;
    case 'failed':
      return EXIT.failed;
    case 'refused':
      return EXIT.refused;
    case 'interrupted':
      return EXIT.interrupted;
  }
}

export function exitForError(error: RunbookError): number {
  switch (error.code) {
    case 'INVALID':
    case 'CHANGED':
    case 'NOT_FOUND':
    case 'EXPRESSION':
    case 'STORE':
      return EXIT.invalid;
    case 'GATE_REFUSED':
    case 'GUARD_REFUSED':
    case 'LOCKED':
    case 'SUPERSEDED':
      return EXIT.refused;
    case 'ABORTED':
      return EXIT.interrupted;
    default:
      return EXIT.failed;
  }
}
