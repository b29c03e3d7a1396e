/**
 * The admission gate for work that takes a manager's vote away (power off, daemon restart, leave,
 * demote, rm). One per run, shared by every step, parallel branch and sub-runbook: before such an
 * instance acts it asks the gate, which reads live state and judges the effect together with every
 * effect of this run that is in flight or that the swarm does not show yet. Admissions that arrive
 * while a read is under way share it, so a fan-out over many workers costs a few `GET /nodes`, not one each.
 */
import type { QuorumEffect } from '../actions/define.js';
import type { SwarmNode } from '../actions/docker/swarm-types.js';
import { entriesFor, findManager } from '../actions/docker/cluster.js';
import { describeError, RunbookError } from '../errors.js';
import {
  isReflected,
  judgeAdmission,
  judgeStep,
  type EffectPhase,
  type Member,
  type ResolvedEffect,
} from '../graph/quorum-admission.js';
import type { QuorumVerdict } from '../graph/quorum.js';
import type { Inventory } from '../inventory/types.js';
import type { DockerPort } from '../io/ports.js';

/** One instance asking to act. */
export interface EffectRequest {
  /** Instance id, e.g. `off@node2`. */
  readonly by: string;
  readonly effect: QuorumEffect;
  readonly allowQuorumLoss: boolean;
  readonly log: (line: string) => void;
}

/** An effect this run already had when it was resumed, from the journal. */
export interface EarlierEffect {
  readonly by: string;
  readonly effect: QuorumEffect;
  readonly phase: Exclude<EffectPhase, 'in-flight'>;
}

/** Held by an admitted instance until it ends. */
export interface Admitted {
  /** `succeeded`: the effect lasts (a restart is over); `failed`: it may have happened; `not-run`: it did not. */
  end(outcome: 'succeeded' | 'failed' | 'not-run'): void;
}

interface Entry {
  readonly by: string;
  readonly effect: QuorumEffect;
  phase: EffectPhase;
}

interface Waiting {
  readonly request: EffectRequest;
  readonly resolve: (a: Admitted) => void;
  readonly reject: (e: unknown) => void;
}

/** Raft members from `GET /nodes`. */
export function liveMembers(nodes: readonly SwarmNode[]): Member[] {
  return nodes
    .filter((n) => n.ManagerStatus !== undefined && n.ManagerStatus !== null)
    .map((n) => ({ id: n.ID, name: n.Description?.Hostname ?? n.ID, reachable: n.ManagerStatus?.Reachability === 'reachable' }));
}

/** The Raft member `name` is (by hostname, inventory address or ID), or undefined when it has no vote. */
export function memberIdOf(nodes: readonly SwarmNode[], name: string, inventory: Inventory | undefined): string | undefined {
  const members = entriesFor(nodes, name, inventory).filter((n) => n.ManagerStatus !== undefined && n.ManagerStatus !== null);
  if (members.length > 1) {
    throw new RunbookError('STEP_FAILED', `${name} names ${members.length} Raft members (${members.map((m) => m.ID).join(', ')}); the quorum cannot be judged`);
  }
  return members[0]?.ID;
}

export function resolveEffect(nodes: readonly SwarmNode[], inventory: Inventory | undefined, by: string, effect: QuorumEffect, phase: EffectPhase): ResolvedEffect {
  return { by, node: effect.node, kind: effect.kind, phase, memberId: memberIdOf(nodes, effect.node, inventory) };
}

const ALLOW_HINT = ' (set allow_quorum_loss: true on the step only if losing the quorum is intended)';

function refusal(verdict: QuorumVerdict, text: string, allowed: boolean): RunbookError | undefined {
  if (verdict.type === 'safe') return undefined;
  if (verdict.type === 'last-manager') return new RunbookError('GUARD_REFUSED', `quorum guard: ${verdict.explanation}; nothing was done`);
  if (allowed) return undefined;
  return new RunbookError('GUARD_REFUSED', `quorum guard: ${text}; nothing was done${ALLOW_HINT}`);
}

export class QuorumGate {
  private readonly entries: Entry[] = [];
  private readonly waiting: Waiting[] = [];
  private reading = false;
  /** The manager that answered last: asked first next time. */
  private prefer: string | undefined;

  constructor(
    private readonly inventory: Inventory,
    private readonly docker: DockerPort,
    private readonly signal: AbortSignal,
    earlier: readonly EarlierEffect[] = [],
  ) {
    for (const e of earlier) this.entries.push({ by: e.by, effect: e.effect, phase: e.phase });
  }

  /**
   * Judges a step's instances together before any starts; throws GUARD_REFUSED when, in the order
   * and concurrency they would run, one of them would lose the quorum. Says nothing when live state
   * cannot be read: each instance is then judged on its own as it comes.
   */
  async admitStep(step: string, requests: readonly EffectRequest[], concurrency: number): Promise<void> {
    if (requests.length < 2) return;
    let nodes: readonly SwarmNode[];
    try {
      nodes = await this.read();
    } catch (e) {
      if (this.signal.aborted) throw e;
      return;
    }
    const pending = this.resolvedPending(nodes, undefined);
    const candidates = requests.map((r) => resolveEffect(nodes, this.inventory, r.by, r.effect, 'in-flight'));
    const verdict = judgeStep(liveMembers(nodes), pending, candidates, concurrency);
    if (verdict.refused === undefined) return;
    const allowed = requests.every((r) => r.allowQuorumLoss);
    const text = `step "${step}": ${verdict.explanation}; instances ${verdict.refused.together.map((t) => t.by).join(', ')}`;
    const error = refusal(verdict.refused.verdict, text, allowed);
    if (error !== undefined) throw error;
    requests[0]?.log(`quorum guard: ${verdict.explanation}; going on because the step says allow_quorum_loss: true`);
  }

  /** Waits for live state and admits the instance, or throws GUARD_REFUSED with nothing done. */
  admit(request: EffectRequest): Promise<Admitted> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (!this.reading) {
        this.reading = true;
        // Instances that start in the same turn are decided on one read.
        setImmediate(() => void this.rounds());
      }
    });
  }

  private async rounds(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        let nodes: readonly SwarmNode[] | undefined;
        let problem: unknown;
        try {
          nodes = await this.read();
        } catch (e) {
          problem = e;
        }
        // Those that asked while the read was under way are decided on it too: this run's own effects are
        // counted from what the gate admitted, not from the read, so a read a moment older loses nothing.
        const batch = this.waiting.splice(0);
        for (const w of batch) {
          try {
            w.resolve(nodes === undefined ? this.decideBlind(w.request, problem) : this.decide(w.request, nodes));
          } catch (e) {
            w.reject(e);
          }
        }
      }
    } finally {
      this.reading = false;
    }
  }

  private decide(request: EffectRequest, nodes: readonly SwarmNode[]): Admitted {
    const pending = this.resolvedPending(nodes, request.by);
    const candidate = resolveEffect(nodes, this.inventory, request.by, request.effect, 'in-flight');
    const { verdict, with: counted } = judgeAdmission(liveMembers(nodes), pending, candidate);
    if (verdict !== undefined) {
      const error = refusal(verdict, verdict.explanation, request.allowQuorumLoss);
      if (error !== undefined) throw error;
      const note = verdict.type === 'safe' ? '' : '; going on because the step says allow_quorum_loss: true';
      if (verdict.type !== 'safe' || counted.length > 0) request.log(`quorum guard: ${verdict.explanation}${note}`);
    }
    return this.enter(request);
  }

  /** No manager answers: only a worker, or a step that allows quorum loss, may go on. */
  private decideBlind(request: EffectRequest, problem: unknown): Admitted {
    if (this.signal.aborted || (problem instanceof RunbookError && problem.code === 'ABORTED')) throw problem;
    const why = describeError(problem);
    const node = this.inventory.nodes.find((n) => n.name === request.effect.node);
    const verb = request.effect.kind === 'demote' ? 'demoting' : 'stopping';
    if (request.allowQuorumLoss || (node !== undefined && node.role !== 'manager')) {
      const reason = request.allowQuorumLoss ? 'the step says allow_quorum_loss: true' : `${request.effect.node} is a worker in the inventory`;
      request.log(`quorum guard: no manager answers (${why}); going on: ${reason}`);
      return this.enter(request);
    }
    throw new RunbookError('GUARD_REFUSED', `quorum guard: cannot tell whether ${verb} ${request.effect.node} loses the quorum: ${why}; nothing was done`);
  }

  private enter(request: EffectRequest): Admitted {
    this.drop(request.by);
    const entry: Entry = { by: request.by, effect: request.effect, phase: 'in-flight' };
    this.entries.push(entry);
    let ended = false;
    return {
      end: (outcome) => {
        if (ended) return;
        ended = true;
        if (outcome === 'not-run' || (outcome === 'succeeded' && entry.effect.kind === 'restart')) this.drop(entry.by);
        else entry.phase = outcome === 'succeeded' ? 'done' : 'uncertain';
      },
    };
  }

  /** A node this run switched on again: its earlier stop no longer needs counting. */
  started(node: string): void {
    for (const e of [...this.entries]) if (e.phase !== 'in-flight' && e.effect.node === node && e.effect.kind !== 'demote') this.drop(e.by);
  }

  private drop(by: string): void {
    const i = this.entries.findIndex((e) => e.by === by);
    if (i !== -1) this.entries.splice(i, 1);
  }

  /** Pending effects resolved against `nodes`; those the swarm now shows are forgotten. */
  private resolvedPending(nodes: readonly SwarmNode[], except: string | undefined): ResolvedEffect[] {
    const members = liveMembers(nodes);
    const out: ResolvedEffect[] = [];
    for (const e of [...this.entries]) {
      if (e.by === except) continue;
      const resolved = resolveEffect(nodes, this.inventory, e.by, e.effect, e.phase);
      if (isReflected(members, resolved)) this.drop(e.by);
      else out.push(resolved);
    }
    return out;
  }

  private async read(): Promise<readonly SwarmNode[]> {
    const live = await findManager(this.inventory, this.docker, this.signal, this.prefer === undefined ? {} : { prefer: this.prefer });
    this.prefer = live.node.name;
    return live.nodes;
  }
}
