/**
 * `with` fields shared by the swarm actions, and their run-time readings.
 */
import { DURATION_PATTERN, parseDuration } from '../../dsl/duration.js';
import { RunbookError } from '../../errors.js';

export const NODE_FIELD = {
  type: 'string',
  description: 'The inventory node the action is about (its hostname in `docker node ls`).',
} as const;

export const TIMEOUT_FIELD = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'How long to wait for the result, e.g. `90s`, `5m`.',
} as const;

export function durationMs(text: string | undefined, fallbackMs: number, field = 'timeout'): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  if (ms === undefined) throw new RunbookError('INVALID', `${field}: "${text}" is not a duration like 30s or 5m`);
  return ms;
}

export function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}
