/**
 * The state one execution shares between its steps: where events go (masked first), the outputs
 * known so far, what the journal says was done before (on resume), and the run's cancellation.
 */
import type { Ports } from '../actions/define.js';
import type { Runbook } from '../dsl/types.js';
import type { LiveManagerResolver } from '../inventory/targets.js';
import type { Inventory } from '../inventory/types.js';
import type { RunState } from '../journal/replay.js';
import { SecretMasker } from '../secrets.js';
import type { BaseContext } from './context.js';
import type { Reporter, RunEvent } from './events.js';

export interface ResumeFrom {
  readonly state: RunState;
  /** Step ids or instance ids the operator allows to run again although they may have partly run. */
  readonly rerun: readonly string[];
}

export class RunSession {
  readonly masker = new SecretMasker();
  /** Set after the first failure that is not tolerated: no new step starts. */
  stopped = false;
  /** The first refusal (gate or guard), which decides exit code 3. */
  refusal: Error | undefined;

  constructor(
    readonly runId: string,
    readonly runDir: string,
    readonly runbook: Runbook,
    readonly inventory: Inventory | undefined,
    readonly base: BaseContext,
    readonly ports: Ports,
    readonly reporters: readonly Reporter[],
    readonly signal: AbortSignal,
    readonly yes: boolean,
    readonly resume: ResumeFrom | undefined,
    readonly live: LiveManagerResolver | undefined,
  ) {}

  emit(event: RunEvent): void {
    const masked = this.masker.maskDeep(event);
    for (const r of this.reporters) r.onEvent(masked);
  }

  /** Resolves when every event emitted so far is durable. */
  async flush(): Promise<void> {
    await Promise.all(this.reporters.map((r) => r.flush?.()));
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
