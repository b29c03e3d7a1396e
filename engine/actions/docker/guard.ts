/**
 * The quorum guard of steps that take a manager's vote away, and the figures their plan shows. Live
 * state comes from a fresh `GET /nodes` right before the step.
 */
import { describeError, RunbookError } from '../../errors.js';
import { describeFigures, judgeVoteChange, raftFigures, type QuorumVerdict, type VoteChange } from '../../graph/quorum.js';
import type { DockerTarget } from '../../io/ports.js';
import type { ActionContext, PlanLine } from '../define.js';
import type { SwarmNode } from './api-types.js';
import { listNodes, lookupNode } from './cluster.js';

/** The verdict for `subject`, or undefined when it is not a Raft member (no vote at stake). */
export function verdictFor(nodes: readonly SwarmNode[], subject: SwarmNode, name: string, change: VoteChange): QuorumVerdict | undefined {
  if (subject.ManagerStatus === undefined || subject.ManagerStatus === null) return undefined;
  const member = subject.ManagerStatus.Reachability === 'reachable' ? 'reachable' : 'unreachable';
  return judgeVoteChange(raftFigures(nodes), change, member, name);
}

/** Throws GUARD_REFUSED unless the verdict lets the step run. */
export function enforce(ctx: ActionContext, verdict: QuorumVerdict | undefined): void {
  if (verdict === undefined || verdict.type === 'safe') return;
  if (verdict.type === 'last-manager') {
    throw new RunbookError('GUARD_REFUSED', `quorum guard: ${verdict.explanation}; nothing was done`);
  }
  if (ctx.allowQuorumLoss) {
    ctx.log('info', `quorum guard: ${verdict.explanation}; going on because the step says allow_quorum_loss: true`);
    return;
  }
  throw new RunbookError(
    'GUARD_REFUSED',
    `quorum guard: ${verdict.explanation}; nothing was done (set allow_quorum_loss: true on the step only if losing the quorum is intended)`,
  );
}

/** Reads live state from `api` and enforces the guard for `name`. */
export async function guardVote(ctx: ActionContext, api: DockerTarget, name: string, change: VoteChange): Promise<void> {
  let nodes: SwarmNode[];
  try {
    nodes = await listNodes(ctx.ports.docker, api, ctx.signal);
  } catch (e) {
    if (ctx.allowQuorumLoss && e instanceof RunbookError && e.code !== 'ABORTED') {
      ctx.log('info', `quorum guard: cannot read the managers (${describeError(e)}); going on because the step says allow_quorum_loss: true`);
      return;
    }
    throw e;
  }
  enforce(ctx, verdictFor(nodes, lookupNode(nodes, name, ctx.inventory), name, change));
}

/** The plan line with M, R and Q(M) after the step, from live state when it can be read. */
export function quorumPlanLine(ctx: ActionContext, verdict: QuorumVerdict | undefined, name: string): PlanLine {
  if (verdict === undefined) return { summary: `quorum: ${name} is not a Raft member; no manager vote at stake` };
  const refusal =
    verdict.type === 'safe'
      ? ''
      : verdict.type === 'last-manager' || !ctx.allowQuorumLoss
        ? ' → the quorum guard would refuse this step'
        : ' → allowed by allow_quorum_loss: true';
  return { summary: `quorum now ${describeFigures(verdict.before)}; ${verdict.explanation}${refusal}` };
}
