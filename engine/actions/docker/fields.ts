/**
 * `with` fields shared by the swarm actions.
 */
import { DURATION_PATTERN } from '../../dsl/duration.js';

export const NODE_FIELD = {
  type: 'string',
  description: 'The inventory node the action is about (its hostname in `docker node ls`).',
} as const;

export const TIMEOUT_FIELD = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'How long to wait for the result, e.g. `90s`, `5m`.',
} as const;
