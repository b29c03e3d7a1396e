/**
 * The quorum guard of steps that stop a node (power off, daemon restart): stopping a reachable
 * manager keeps M and costs one vote, so it needs R − 1 ≥ Q(M). Live state comes from whichever
 * manager of the inventory answers `GET /nodes` right before the step.
 */
import { describeError, RunbookError } from '../../errors.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { ActionContext } from '../define.js';
import { findManager, lookupNode } from '../docker/cluster.js';
import { enforce, verdictFor } from '../docker/guard.js';

export async function guardStop(ctx: ActionContext, node: InventoryNode): Promise<void> {
  const inventory = ctx.inventory;
  if (inventory === undefined) return;
  let live: Awaited<ReturnType<typeof findManager>>;
  try {
    live = await findManager(inventory, ctx.ports.docker, ctx.signal);
  } catch (e) {
    if (!(e instanceof RunbookError) || e.code === 'ABORTED') throw e;
    if (ctx.allowQuorumLoss || node.role !== 'manager') {
      ctx.log('info', `quorum guard: no manager answers (${describeError(e)}); going on: ${ctx.allowQuorumLoss ? 'the step says allow_quorum_loss: true' : `${node.name} is a worker in the inventory`}`);
      return;
    }
    throw new RunbookError('GUARD_REFUSED', `quorum guard: cannot tell whether stopping ${node.name} loses the quorum: ${describeError(e)}; nothing was done`);
  }
  let subject: ReturnType<typeof lookupNode>;
  try {
    subject = lookupNode(live.nodes, node.name, inventory);
  } catch (e) {
    if (e instanceof RunbookError && e.code === 'NOT_FOUND') return;
    throw e;
  }
  enforce(ctx, verdictFor(live.nodes, subject, node.name, 'stop'));
}
