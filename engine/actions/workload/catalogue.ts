/**
 * Actions for services, tasks, stacks, daemons, power and waiting.
 */
import type { ActionDefinition } from '../define.js';

export const workloadActions = {} as const satisfies Record<string, ActionDefinition<never>>;
