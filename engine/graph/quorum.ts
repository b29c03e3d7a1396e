/**
 * Raft majority arithmetic for swarm managers (pure). M managers in Raft, R of them reachable, U
 * unreachable; quorum Q(M) = floor(M/2) + 1. Stopping a reachable manager keeps M and costs one
 * reachable vote; demoting (or removing) one shrinks M as well; demoting an unreachable one shrinks
 * M only. These are the checks of moby's `removingManagerCausesLossOfQuorum` and swarmkit's
 * `CanRemoveMember`.
 */

/** A swarm node as far as Raft membership goes: `ManagerStatus` present means a Raft member. */
export interface RaftMemberView {
  readonly ManagerStatus?: { readonly Reachability?: string } | null;
}

/** The managers of a swarm, counted. */
export interface RaftFigures {
  /** M: Raft members (nodes with a ManagerStatus). */
  readonly managers: number;
  /** R: members whose reachability is `reachable`. */
  readonly reachable: number;
  /** U: members whose reachability is `unreachable` (or not yet known). */
  readonly unreachable: number;
  /** Q(M) = floor(M/2) + 1 (0 when there are no managers). */
  readonly quorum: number;
}

/** What a step does to one manager's vote. */
export type VoteChange =
  /** Power off, reboot, stop its daemon, or `swarm leave --force`: M stays, its vote is gone. */
  | 'stop'
  /** Demote, or remove after a demotion: M shrinks by one. */
  | 'demote';

/** The state of the manager the step is about. */
export type MemberState = 'reachable' | 'unreachable';

/**
 * The guard's answer. `safe`: quorum holds after the step (or there is none to lose); `loses-quorum`:
 * the step would cost the majority while other managers are up (a step may allow it with
 * `allow_quorum_loss: true`); `last-manager`: demoting the only manager, which swarm never allows.
 */
export interface QuorumVerdict {
  readonly type: 'safe' | 'loses-quorum' | 'last-manager';
  readonly before: RaftFigures;
  readonly after: RaftFigures;
  /** One sentence with the figures, e.g. `after demoting node2: M=2, R=1, Q(2)=2: quorum lost`. */
  readonly explanation: string;
}

export function quorumOf(managers: number): number {
  return managers <= 0 ? 0 : Math.floor(managers / 2) + 1;
}

export function figures(managers: number, reachable: number): RaftFigures {
  return { managers, reachable, unreachable: managers - reachable, quorum: quorumOf(managers) };
}

/** M, R and U from `GET /nodes`. A reachability of `unknown` does not count as a reachable vote. */
export function raftFigures(nodes: readonly RaftMemberView[]): RaftFigures {
  let managers = 0;
  let reachable = 0;
  for (const node of nodes) {
    if (node.ManagerStatus === undefined || node.ManagerStatus === null) continue;
    managers += 1;
    if (node.ManagerStatus.Reachability === 'reachable') reachable += 1;
  }
  return figures(managers, reachable);
}

export function describeFigures(f: RaftFigures): string {
  return `M=${f.managers}, R=${f.reachable}, Q(${f.managers})=${f.quorum}`;
}

function hasQuorum(f: RaftFigures): boolean {
  return f.managers > 0 && f.reachable >= f.quorum;
}

/**
 * Judges a step that takes one manager's vote away. `subject` names the manager in the explanation;
 * `note` says what else was counted (`counted with off@node2 (in flight)`).
 */
export function judgeVoteChange(
  before: RaftFigures,
  change: VoteChange,
  member: MemberState,
  subject: string,
  options: { readonly verb?: string; readonly note?: string } = {},
): QuorumVerdict {
  const verb = options.verb ?? (change === 'stop' ? 'stopping' : 'demoting');
  if (change === 'demote' && before.managers <= 1) {
    return {
      type: 'last-manager',
      before,
      after: before,
      explanation: `${subject} is the last manager (${describeFigures(before)}): a swarm never demotes or removes its last manager`,
    };
  }
  const managers = change === 'demote' ? before.managers - 1 : before.managers;
  const reachable = member === 'reachable' ? before.reachable - 1 : before.reachable;
  const after = figures(managers, reachable);
  const head = `after ${verb} ${subject} (${member})${options.note === undefined ? '' : `, ${options.note}`}: ${describeFigures(after)}`;
  if (hasQuorum(after)) {
    return { type: 'safe', before, after, explanation: `${head}: quorum kept (${after.reachable} ≥ ${after.quorum})` };
  }
  if (!hasQuorum(before)) {
    return {
      type: 'safe',
      before,
      after,
      explanation: `${head}: quorum is already lost (${describeFigures(before)} before the step), so this step cannot lose it`,
    };
  }
  if (after.reachable === 0) {
    return { type: 'safe', before, after, explanation: `${head}: the last reachable manager stops; no other manager is up to keep a quorum` };
  }
  return {
    type: 'loses-quorum',
    before,
    after,
    explanation:
      `${head}: quorum lost (${after.reachable} < ${after.quorum}) while ${after.reachable} other manager${after.reachable === 1 ? ' is' : 's are'} up` +
      (change === 'demote' && member === 'reachable' && before.unreachable > 0 ? '; demote the unreachable managers first' : ''),
  };
}
