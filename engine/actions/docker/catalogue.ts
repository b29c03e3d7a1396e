/**
 * The Docker Engine API actions for swarm membership and nodes.
 */
import type { ActionDefinition } from '../define.js';

export const dockerActions = {} as const satisfies Record<string, ActionDefinition<never>>;
