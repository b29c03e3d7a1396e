/**
 * What a run emits. The runner only emits these; the journal, listr2, plain lines and `--json`
 * are reporters that listen. Values here are already masked: no secret ever reaches an event.
 */
import type { EffectKind } from '../graph/quorum-admission.js';

export type RunStatus = 'succeeded' | 'failed' | 'interrupted' | 'refused';

/** Why an instance did not run. */
export type SkipReason = 'when' | 'check' | 'needs-failed' | 'resumed' | 'max-failures' | 'refused' | 'limit';

export interface StepInstanceRef {
  readonly step: string;
  /** `id`, `id[key]`, `id@node` or `id[key]@node`. */
  readonly instance: string;
  /** Node name, or `local`. */
  readonly target: string;
  /** foreach key, when the step has a foreach. */
  readonly key?: string;
}

export type RunEvent =
  | {
      readonly type: 'run.started';
      readonly runId: string;
      readonly runbook: string;
      readonly runbookFile: string;
      readonly runbookHash: string;
      readonly inventoryFile?: string;
      readonly inventoryHash?: string;
      readonly cluster?: string;
      readonly inputs: Readonly<Record<string, unknown>>;
      /** Names of inputs marked secret: their values are never written. */
      readonly secretInputs: readonly string[];
      /** Names of the inputs the caller gave, never their values: a resume asks again for the secret ones. */
      readonly givenInputs?: readonly string[];
      /** Only reads (every step): such a run takes no lock and never supersedes an unfinished run. */
      readonly readOnly?: boolean;
      /** `--limit` as given: a resume keeps it unless given another. */
      readonly limit?: string;
      readonly resumed: boolean;
      readonly pid: number;
      readonly host: string;
    }
  | { readonly type: 'plan.ready'; readonly steps: readonly { readonly step: string; readonly name: string; readonly needs: readonly string[] }[] }
  | ({
      readonly type: 'step.started';
      readonly attempt: number;
      /** The vote the instance takes away, journaled so a resume counts it until the swarm shows it. */
      readonly quorum?: { readonly node: string; readonly kind: EffectKind };
    } & StepInstanceRef)
  | ({ readonly type: 'step.log'; readonly stream: 'stdout' | 'stderr' | 'info'; readonly line: string } & StepInstanceRef)
  | ({
      readonly type: 'step.retrying';
      /** The attempt about to start, of `maxAttempts`. */
      readonly attempt: number;
      readonly maxAttempts: number;
      readonly delayMs: number;
      readonly error: string;
    } & StepInstanceRef)
  | ({
      readonly type: 'step.succeeded';
      readonly attempt: number;
      readonly durationMs: number;
      readonly outputs: Readonly<Record<string, unknown>>;
      /** Output names withheld as secret: re-derived on resume by running the step again. */
      readonly secretOutputs: readonly string[];
    } & StepInstanceRef)
  | ({
      readonly type: 'step.failed';
      readonly attempt: number;
      readonly durationMs: number;
      readonly error: string;
      readonly code: string;
      readonly details: readonly string[];
      /** The run went on because the step has `continue_on_error`. */
      readonly tolerated: boolean;
    } & StepInstanceRef)
  | ({ readonly type: 'step.skipped'; readonly reason: SkipReason; readonly detail?: string } & StepInstanceRef)
  | { readonly type: 'gate.answered'; readonly gate: string; readonly question: string; readonly answer: boolean; readonly by: 'tty' | 'flag' | 'resume' }
  /** The run's first contact with a node over one connection: who answered there (`runner/node-identity.ts`). */
  | {
      readonly type: 'node.identified';
      readonly node: string;
      readonly via: 'docker' | 'ssh';
      readonly endpoint: string;
      readonly hostname: string;
      readonly daemonId?: string;
      readonly nodeId?: string;
    }
  | { readonly type: 'run.finished'; readonly status: RunStatus; readonly durationMs: number; readonly error?: string };

export type RunEventType = RunEvent['type'];

/** A listener of run events; reporters implement it. `flush` lets the journal batch fsyncs. */
export interface Reporter {
  onEvent(event: RunEvent): void;
  /** Resolves when everything received so far is durable (journal) or drawn (terminal). */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}
