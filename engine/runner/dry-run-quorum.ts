/**
 * What the plan says about the quorum: for each instance that takes a manager's vote away, M, R and
 * Q before and after it; for each step with several such instances, or that may run at the same
 * time as another such step, the verdict of them together — the same judgement the gate makes when
 * the run starts them. Live state is read once per plan.
 */
import type { QuorumEffect } from '../actions/define.js';
import type { SwarmNode } from '../actions/docker/swarm-types.js';
import { findManager } from '../actions/docker/cluster.js';
import { describeError } from '../errors.js';
import { judgeAdmission, judgeStep, type ResolvedEffect } from '../graph/quorum-admission.js';
import { describeFigures, type QuorumVerdict } from '../graph/quorum.js';
import type { Inventory } from '../inventory/types.js';
import type { DockerPort } from '../io/ports.js';
import { liveMembers, resolveEffect } from './quorum-gate.js';

/** One instance's effect as planned. */
export interface PlannedEffect {
  readonly by: string;
  readonly effect: QuorumEffect;
}

interface PlannedQuorumStep {
  readonly step: string;
  readonly effects: readonly PlannedEffect[];
}

const isPlaceholder = (name: string): boolean => name.includes('<output of ');

export class PlanQuorum {
  private live: Promise<readonly SwarmNode[]> | undefined;
  private readonly steps: PlannedQuorumStep[] = [];

  constructor(
    private readonly inventory: Inventory | undefined,
    private readonly docker: DockerPort,
    private readonly signal: AbortSignal,
  ) {}

  private read(): Promise<readonly SwarmNode[]> {
    const inventory = this.inventory;
    if (inventory === undefined) return Promise.reject(new Error('no inventory'));
    this.live ??= findManager(inventory, this.docker, this.signal).then((m) => m.nodes);
    return this.live;
  }

  /** Earlier planned effects: those of steps `step` comes after are done; the others may be in flight. */
  private pending(nodes: readonly SwarmNode[], concurrentWith: ReadonlySet<string>): ResolvedEffect[] {
    return this.steps.flatMap((s) =>
      s.effects
        .filter((e) => !isPlaceholder(e.effect.node))
        .map((e) => resolveEffect(nodes, this.inventory, e.by, e.effect, concurrentWith.has(s.step) ? 'in-flight' : 'done')),
    );
  }

  /** The line for one instance, judged after the steps before it. */
  async instanceLine(planned: PlannedEffect, allow: boolean, concurrentWith: ReadonlySet<string>): Promise<string> {
    if (isPlaceholder(planned.effect.node)) return `quorum: judged when the step runs (${planned.effect.node})`;
    let nodes: readonly SwarmNode[];
    try {
      nodes = await this.read();
    } catch (e) {
      return `quorum: no manager answers now (${describeError(e)})`;
    }
    const pending = this.pending(nodes, concurrentWith).filter((p) => !concurrentWith.has(stepOf(this.steps, p.by)));
    const candidate = resolveEffect(nodes, this.inventory, planned.by, planned.effect, 'in-flight');
    const { verdict, with: counted } = judgeAdmission(liveMembers(nodes), pending, candidate);
    if (verdict === undefined) return `quorum: ${planned.effect.node} is not a Raft member; no manager vote at stake`;
    const when = counted.length === 0 ? 'quorum now' : 'quorum after the steps before';
    return `${when} ${describeFigures(verdict.before)}; ${verdict.explanation}${consequence(verdict, allow, '')}`;
  }

  /**
   * Lines for the step as a whole: its instances together (in the order and concurrency they run),
   * and with the steps that may run at the same time. Records the step's effects for later steps.
   */
  async stepLines(step: string, effects: readonly PlannedEffect[], concurrency: number, allow: boolean, concurrentWith: ReadonlySet<string>): Promise<string[]> {
    const lines: string[] = [];
    const overlapping = this.steps.filter((s) => concurrentWith.has(s.step)).map((s) => s.step);
    if (overlapping.length > 0) lines.push(`may run at the same time as ${overlapping.join(', ')} (no needs between them): judged together`);
    const known = effects.filter((e) => !isPlaceholder(e.effect.node));
    this.steps.push({ step, effects });
    if (known.length < 2 && overlapping.length === 0) return lines;
    let nodes: readonly SwarmNode[];
    try {
      nodes = await this.read();
    } catch {
      return lines;
    }
    const candidates = known.map((e) => resolveEffect(nodes, this.inventory, e.by, e.effect, 'in-flight'));
    const verdict = judgeStep(liveMembers(nodes), this.pending(nodes, concurrentWith).filter((p) => !candidates.some((c) => c.by === p.by)), candidates, concurrency);
    if (verdict.refused === undefined) {
      lines.push(`quorum: ${verdict.explanation}`);
      return lines;
    }
    lines.push(`quorum: ${verdict.explanation}${consequence(verdict.refused.verdict, allow, ' before any instance starts')}`);
    return lines;
  }
}

function stepOf(steps: readonly PlannedQuorumStep[], by: string): string {
  return steps.find((s) => s.effects.some((e) => e.by === by))?.step ?? '';
}

function consequence(verdict: QuorumVerdict, allow: boolean, when: string): string {
  if (verdict.type === 'safe') return '';
  if (verdict.type === 'last-manager' || !allow) return ` → the quorum guard would refuse this step${when}`;
  return ' → allowed by allow_quorum_loss: true';
}
