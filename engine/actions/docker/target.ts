/**
 * What every Docker action needs first: the node its API call goes to (the step's `on:`), as a
 * Docker target, and the inventory that names the node the action is about.
 */
import { RunbookError } from '../../errors.js';
import { dockerTargetOf } from '../../io/docker/target.js';
import type { Inventory, InventoryNode } from '../../inventory/types.js';
import type { DockerTarget } from '../../io/ports.js';
import type { ActionContext } from '../define.js';

export interface ApiNode {
  /** The inventory node the call is sent to. */
  readonly node: InventoryNode;
  readonly target: DockerTarget;
}

export function apiNode(ctx: ActionContext, action: string): ApiNode {
  if (ctx.target.type !== 'node') {
    throw new RunbookError('INVALID', `${action} talks to a node's Docker API: give the step \`on:\` a node name or \`manager\``);
  }
  return { node: ctx.target.node, target: dockerTargetOf(ctx.target.node) };
}

export function inventoryOf(ctx: ActionContext, action: string): Inventory {
  if (ctx.inventory === undefined) {
    throw new RunbookError('INVALID', `${action} needs an inventory; pass -i FILE or set RUNBOOK_INVENTORY`);
  }
  return ctx.inventory;
}
