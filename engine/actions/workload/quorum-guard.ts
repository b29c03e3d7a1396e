/**
 * The quorum guard of steps that stop a node (power off, daemon restart): stopping a reachable
 * manager keeps M and costs one vote, so it needs R − 1 ≥ Q(M). Live state comes from whichever
 * manager of the inventory answers `GET /nodes` right before the step; the plan shows the same figures.
 */
import { describeError, RunbookError } from '../../errors.js';
import type { QuorumVerdict } from '../../graph/quorum.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { ActionContext, PlanLine } from '../define.js';
import { findManager, lookupNode } from '../docker/cluster.js';
import { enforce, quorumPlanLine, verdictFor } from '../docker/guard.js';

/** What stopping `node` does to the quorum, from live state; `unknown` when no manager answers. */
type StopVerdict =
  | { readonly type: 'known'; readonly verdict: QuorumVerdict | undefined }
  | { readonly type: 'unknown'; readonly problem: RunbookError };

async function stopVerdict(ctx: ActionContext, node: InventoryNode): Promise<StopVerdict | undefined> {
  const inventory = ctx.inventory;
  if (inventory === undefined) return undefined;
  let live: Awaited<ReturnType<typeof findManager>>;
  try {
    live = await findManager(inventory, ctx.ports.docker, ctx.signal);
  } catch (e) {
    if (!(e instanceof RunbookError) || e.code === 'ABORTED') throw e;
    return { type: 'unknown', problem: e };
  }
  try {
    return { type: 'known', verdict: verdictFor(live.nodes, lookupNode(live.nodes, node.name, inventory), node.name, 'stop') };
  } catch (e) {
    // Not in the swarm: no vote at stake.
    if (e instanceof RunbookError && e.code === 'NOT_FOUND') return { type: 'known', verdict: undefined };
    throw e;
  }
}

export async function guardStop(ctx: ActionContext, node: InventoryNode): Promise<void> {
  const seen = await stopVerdict(ctx, node);
  if (seen === undefined) return;
  if (seen.type === 'known') {
    enforce(ctx, seen.verdict);
    return;
  }
  const why = describeError(seen.problem);
  if (ctx.allowQuorumLoss || node.role !== 'manager') {
    ctx.log('info', `quorum guard: no manager answers (${why}); going on: ${ctx.allowQuorumLoss ? 'the step says allow_quorum_loss: true' : `${node.name} is a worker in the inventory`}`);
    return;
  }
  throw new RunbookError('GUARD_REFUSED', `quorum guard: cannot tell whether stopping ${node.name} loses the quorum: ${why}; nothing was done`);
}

/**
 * The plan's line with M, R and Q(M) before and after stopping `node`, from live state. Only for the
 * inventory's managers, so that planning a fan-out over every worker costs no reads; the guard itself
 * still asks for every node when the step runs.
 */
export async function stopPlanLine(ctx: ActionContext, node: InventoryNode): Promise<PlanLine | undefined> {
  if (node.role !== 'manager') return undefined;
  const seen = await stopVerdict(ctx, node);
  if (seen === undefined) return undefined;
  if (seen.type === 'unknown') return { summary: `quorum: no manager answers now (${describeError(seen.problem)})` };
  return quorumPlanLine(ctx, seen.verdict, node.name);
}
