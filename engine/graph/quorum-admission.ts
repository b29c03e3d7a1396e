/**
 * Quorum arithmetic for work in flight (pure). A fresh `GET /nodes` is blind to what this run is
 * doing: instances admitted and still running, and nodes it stopped or demoted that the managers
 * still report reachable (heartbeats take 10–15 s to lapse). So every admission is judged on the
 * live Raft members with every pending effect laid over them, and a step's instances are judged
 * together before any of them starts.
 */
import { describeFigures, figures, judgeVoteChange, type QuorumVerdict, type RaftFigures } from './quorum.js';

/** A Raft member as the managers report it. */
export interface Member {
  readonly id: string;
  readonly name: string;
  readonly reachable: boolean;
}

/**
 * What an instance does to a node's vote:
 * - `stop`: power off or `swarm leave --force` — the vote is gone until the node comes back;
 * - `restart`: a daemon restart — the vote is gone while it runs;
 * - `demote`: demote or remove — the node leaves Raft (while it is under way its vote counts as gone).
 */
export type EffectKind = 'stop' | 'restart' | 'demote';

/**
 * `in-flight`: admitted and running; `done`: finished and lasting; `uncertain`: ended without
 * success (failed, cut off), so it may or may not have happened.
 */
export type EffectPhase = 'in-flight' | 'done' | 'uncertain';

/** An effect whose subject has been looked up among the live Raft members. */
export interface ResolvedEffect {
  /** The instance that has (or asks for) the effect, e.g. `off@node2`. */
  readonly by: string;
  /** The node's name as the step gave it. */
  readonly node: string;
  /** The Raft member it is, or undefined when the node has no vote (a worker, or not in the swarm). */
  readonly memberId: string | undefined;
  readonly kind: EffectKind;
  readonly phase: EffectPhase;
}

/** Raft members as they will be once the pending effects have taken hold. */
export function overlay(members: readonly Member[], effects: readonly ResolvedEffect[]): Member[] {
  const out = new Map(members.map((m) => [m.id, m]));
  for (const e of effects) {
    if (e.memberId === undefined) continue;
    const m = out.get(e.memberId);
    if (m === undefined) continue;
    if (e.kind === 'restart' && e.phase === 'done') continue;
    if (e.kind === 'demote' && e.phase === 'done') out.delete(e.memberId);
    else out.set(e.memberId, { ...m, reachable: false });
  }
  return [...out.values()];
}

/** Does the live state already show the effect? Then it no longer needs counting. */
export function isReflected(live: readonly Member[], effect: ResolvedEffect): boolean {
  if (effect.phase === 'in-flight') return false;
  if (effect.kind === 'restart' && effect.phase === 'done') return true;
  const m = effect.memberId === undefined ? undefined : live.find((x) => x.id === effect.memberId);
  if (m === undefined) return true;
  return effect.kind === 'demote' ? false : !m.reachable;
}

/** The pending effects that change the figures: those the live state does not show yet. */
function counted(members: readonly Member[], pending: readonly ResolvedEffect[]): ResolvedEffect[] {
  return pending.filter((e) => {
    if (e.memberId === undefined || (e.kind === 'restart' && e.phase === 'done')) return false;
    const m = members.find((x) => x.id === e.memberId);
    if (m === undefined) return false;
    return (e.kind === 'demote' && e.phase === 'done') || m.reachable;
  });
}

function figuresOf(members: readonly Member[]): RaftFigures {
  return figures(members.length, members.filter((m) => m.reachable).length);
}

/** The answer of the gate for one effect: no vote at stake, or the verdict and what it counted. */
export interface Admission {
  /** Undefined when the subject is not a Raft member once the pending effects are laid over. */
  readonly verdict: QuorumVerdict | undefined;
  /** Pending effects that were counted: the instances this one was judged together with. */
  readonly with: readonly ResolvedEffect[];
}

/** Judges `candidate` on the live members with every pending effect laid over them. */
export function judgeAdmission(live: readonly Member[], pending: readonly ResolvedEffect[], candidate: ResolvedEffect): Admission {
  const others = pending.filter((e) => e.by !== candidate.by);
  const members = overlay(live, others);
  const subject = candidate.memberId === undefined ? undefined : members.find((m) => m.id === candidate.memberId);
  const used = counted(live, others).filter((e) => e.memberId !== candidate.memberId);
  if (subject === undefined) return { verdict: undefined, with: used };
  const change = candidate.kind === 'demote' ? 'demote' : 'stop';
  const verdict = judgeVoteChange(figuresOf(members), change, subject.reachable ? 'reachable' : 'unreachable', candidate.node, {
    verb: verbOf(candidate),
    ...(used.length === 0 ? {} : { note: `counted with ${used.map(describeCounted).join(', ')}` }),
  });
  return { verdict, with: used };
}

function verbOf(e: Pick<ResolvedEffect, 'kind'>): string {
  return e.kind === 'demote' ? 'demoting' : e.kind === 'restart' ? 'restarting' : 'stopping';
}

function describeCounted(e: ResolvedEffect): string {
  const state = e.phase === 'in-flight' ? 'in flight' : e.phase === 'done' ? 'done; the swarm does not show it yet' : 'ended without success; it may have acted';
  return `${e.by} (${verbOf(e)} ${e.node}, ${state})`;
}

/** The verdict of a whole step (or of steps that may run at once), before any instance starts. */
export interface StepAdmission {
  /** The first instance refused, when one is. */
  readonly refused?: { readonly candidate: ResolvedEffect; readonly verdict: QuorumVerdict; readonly together: readonly ResolvedEffect[] };
  /** M, R and Q once every instance has acted (all lasting effects in place). */
  readonly after: RaftFigures;
  readonly before: RaftFigures;
  /** One sentence for the plan and the refusal. */
  readonly explanation: string;
}

/**
 * Judges a step's effects in the order its instances start, `concurrency` at a time: an instance
 * counts the `concurrency − 1` before it as in flight and the earlier ones as done.
 */
export function judgeStep(
  live: readonly Member[],
  pending: readonly ResolvedEffect[],
  candidates: readonly ResolvedEffect[],
  concurrency: number,
): StepAdmission {
  const before = figuresOf(overlay(live, pending));
  const siblings: ResolvedEffect[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const earlier = candidates.slice(0, i).map((c, j): ResolvedEffect => ({ ...c, phase: i - j < concurrency ? 'in-flight' : 'done' }));
    const { verdict, with: used } = judgeAdmission(live, [...pending, ...earlier], candidate);
    siblings.push(candidate);
    if (verdict !== undefined && verdict.type !== 'safe') {
      const together = [...used.filter((u) => earlier.some((e) => e.by === u.by)), candidate];
      return { refused: { candidate, verdict, together }, before, after: verdict.after, explanation: togetherText(together, verdict, used) };
    }
  }
  const all = candidates.map((c): ResolvedEffect => ({ ...c, phase: 'done' }));
  const after = figuresOf(overlay(live, [...pending, ...all]));
  const voting = candidates.filter((c) => c.memberId !== undefined);
  const what = voting.length === 0 ? 'no instance takes a manager’s vote' : `${phrase(voting)}: ${describeFigures(after)}`;
  return { before, after, explanation: `together ${what}: quorum ${after.managers === 0 || after.reachable >= after.quorum ? 'kept' : 'not held'}` };
}

/** "stopping node2 and node3", "demoting node2 and stopping node3". */
export function phrase(effects: readonly Pick<ResolvedEffect, 'kind' | 'node'>[]): string {
  const groups: { verb: string; nodes: string[] }[] = [];
  for (const e of effects) {
    const verb = verbOf(e);
    const last = groups[groups.length - 1];
    if (last?.verb === verb) last.nodes.push(e.node);
    else groups.push({ verb, nodes: [e.node] });
  }
  const list = (xs: readonly string[]): string => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1] ?? ''}`);
  return list(groups.map((g) => `${g.verb} ${list(g.nodes)}`));
}

function togetherText(together: readonly ResolvedEffect[], verdict: QuorumVerdict, used: readonly ResolvedEffect[]): string {
  const outside = used.filter((u) => !together.some((t) => t.by === u.by));
  const concurrent = together.length > 1 && together.slice(0, -1).some((t) => t.phase === 'in-flight') ? ' together' : '';
  const a = verdict.after;
  const lost =
    verdict.type === 'last-manager'
      ? verdict.explanation
      : `${phrase(together)}${concurrent} leaves R=${a.reachable} of M=${a.managers} (Q(${a.managers})=${a.quorum}): quorum lost while ${a.reachable} other manager${a.reachable === 1 ? ' is' : 's are'} up`;
  return outside.length === 0 ? lost : `${lost}; counted with ${outside.map(describeCounted).join(', ')}`;
}
