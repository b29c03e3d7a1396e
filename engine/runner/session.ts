/**
 * The state one execution shares between its steps: where events go (masked first), the outputs
 * known so far, what the journal says was done before (on resume), and the run's cancellation.
 * A sub-runbook runs in a child session: the same run, with its own inputs and step outputs, its
 * step ids prefixed by the calling step's (`provision/join`).
 */
import type { Ports } from '../io/ports.js';
import type { Runbook, Step } from '../dsl/types.js';
import type { LiveManagerResolver } from '../plan/targets.js';
import type { Limit } from '../inventory/limit.js';
import type { Inventory } from '../inventory/types.js';
import type { RunState } from '../journal/replay.js';
import type { RunLock } from '../journal/run-store.js';
import { SecretMasker } from '../secrets.js';
import type { BaseContext } from '../plan/context.js';
import type { Reporter, RunEvent } from './events.js';
import type { NodeIdentity } from './node-identity.js';
import type { QuorumGate } from './quorum-gate.js';

/** How a step ended, as far as its dependents are concerned. */
export type StepOutcome = 'succeeded' | 'skipped' | 'tolerated' | 'failed' | 'aborted' | 'not-started';

export interface ResumeFrom {
  readonly state: RunState;
  /** Step ids or instance ids the operator allows to run again although they may have partly run. */
  readonly rerun: readonly string[];
}

/** What every scope of one run shares. */
export interface RunShared {
  readonly runId: string;
  readonly runDir: string;
  readonly inventory: Inventory | undefined;
  /** `--limit`: the nodes the run may touch; none means every node. */
  readonly limit: Limit | undefined;
  readonly ports: Ports;
  readonly reporters: readonly Reporter[];
  readonly signal: AbortSignal;
  readonly yes: boolean;
  readonly resume: ResumeFrom | undefined;
  readonly live: LiveManagerResolver | undefined;
  /** The runner's environment; each runbook sees only the variables its `env:` lists. */
  readonly env: NodeJS.ProcessEnv;
  readonly masker: SecretMasker;
  /** The cluster lock the run holds (a no-op lock for read-only runs). */
  readonly lock: RunLock;
  /** Runs steps in the order of their needs: a sub-runbook's steps run through it too. */
  readonly schedule: (session: RunSession, order: readonly Step[]) => Promise<StepOutcome[]>;
  /** Judges every instance that takes a manager's vote away, with everything else in flight; none without an inventory. */
  readonly quorum: QuorumGate | undefined;
  /** Asks each node, before the first change there, whether the host answering is that node; none without an inventory. */
  readonly identity: NodeIdentity | undefined;
  /** Set after the first failure that is not tolerated: no new step starts. */
  stopped: boolean;
  /** The first refusal (gate or guard), which decides exit code 3. */
  refusal: Error | undefined;
  /** Set when the lock was found lost: the run stops, resumable. */
  lockLost: Error | undefined;
}

export class RunSession {
  constructor(
    readonly shared: RunShared,
    readonly runbook: Runbook,
    readonly base: BaseContext,
    /** Prepended to step and instance ids in events and journal lookups: '' at the top level. */
    readonly prefix = '',
  ) {}

  static create(options: Omit<RunShared, 'masker' | 'stopped' | 'refusal' | 'lockLost'>, runbook: Runbook, base: BaseContext): RunSession {
    return new RunSession({ ...options, masker: new SecretMasker(), stopped: false, refusal: undefined, lockLost: undefined }, runbook, base);
  }

  /** A scope for a sub-runbook called by step `stepId`. */
  child(stepId: string, runbook: Runbook, base: BaseContext): RunSession {
    return new RunSession(this.shared, runbook, base, `${this.prefix}${stepId}/`);
  }

  get runId(): string {
    return this.shared.runId;
  }
  get runDir(): string {
    return this.shared.runDir;
  }
  get inventory(): Inventory | undefined {
    return this.shared.inventory;
  }
  get limit(): Limit | undefined {
    return this.shared.limit;
  }
  get ports(): Ports {
    return this.shared.ports;
  }
  get signal(): AbortSignal {
    return this.shared.signal;
  }
  get yes(): boolean {
    return this.shared.yes;
  }
  get resume(): ResumeFrom | undefined {
    return this.shared.resume;
  }
  get live(): LiveManagerResolver | undefined {
    return this.shared.live;
  }
  get masker(): SecretMasker {
    return this.shared.masker;
  }
  get quorum(): QuorumGate | undefined {
    return this.shared.quorum;
  }
  get identity(): NodeIdentity | undefined {
    return this.shared.identity;
  }
  get stopped(): boolean {
    return this.shared.stopped;
  }
  set stopped(value: boolean) {
    this.shared.stopped = value;
  }
  get refusal(): Error | undefined {
    return this.shared.refusal;
  }
  set refusal(value: Error | undefined) {
    this.shared.refusal = value;
  }

  get lockLost(): Error | undefined {
    return this.shared.lockLost;
  }

  /**
   * False, and the run stopped, when no new step or instance may start: stopped after a failure,
   * cancelled, or the lock was lost while held.
   */
  mayStart(): boolean {
    return !this.shared.stopped && !this.signal.aborted && this.lockHeld();
  }

  /** False, and the run stopped, once the lock is found lost. */
  lockHeld(): boolean {
    if (this.shared.lockLost !== undefined) return false;
    try {
      this.shared.lock.check();
      return true;
    } catch (e) {
      this.shared.lockLost = e as Error;
      this.shared.stopped = true;
      return false;
    }
  }

  emit(event: RunEvent): void {
    const masked = this.masker.maskDeep(event);
    for (const r of this.shared.reporters) r.onEvent(masked);
  }

  /** Resolves when every event emitted so far is durable. */
  async flush(): Promise<void> {
    await Promise.all(this.shared.reporters.map((r) => r.flush?.()));
  }

  /** Records outputs so later expressions can read `steps.<id>.outputs`. */
  setOutputs(stepId: string, multi: boolean, key: string, outputs: Readonly<Record<string, unknown>>): void {
    if (!multi) {
      this.base.steps[stepId] = { outputs };
      return;
    }
    const entry = (this.base.steps[stepId] ??= { outputs: {} });
    (entry.outputs as Record<string, unknown>)[key] = outputs;
  }
}
