/**
 * Runtime errors carry a literal code the caller branches on; only the CLI maps codes to exit codes.
 */

export type RunbookErrorCode =
  | 'INVALID'            // bad runbook, inventory or arguments: exit 2
  | 'GATE_REFUSED'       // a confirmation gate was answered no, or could not be asked: exit 3
  | 'GUARD_REFUSED'      // a safety guard refused the step: exit 3
  | 'LOCKED'             // another run holds the lock: exit 3
  | 'LOCK_LOST'          // the lock was lost while held: the run stopped before its next step, resumable: exit 1
  | 'STORE'              // the run store cannot be opened (bad URL, credentials, server down): exit 2, nothing ran
  | 'STORE_LOST'         // the run store failed mid-run: no new step started, resumable once it is back: exit 1
  | 'CHANGED'            // resume refused: the runbook or inventory changed: exit 2
  | 'SUPERSEDED'         // resume refused: a later run changed the cluster since: exit 3
  | 'NOT_FOUND'          // no such run, runbook or node: exit 2
  | 'COMMAND_FAILED'     // a command exited non-zero
  | 'TIMEOUT'
  | 'ABORTED'
  | 'UNREACHABLE'
  | 'AUTH'
  | 'HOST_KEY'
  | 'DOCKER_API'
  | 'DRY_RUN_WRITE'      // a write was attempted in plan mode
  | 'EXPRESSION'         // an expression failed on the run's data (inputs, inventory, outputs): the step fails; a plan exits 2
  | 'STEP_FAILED'
  | 'INTERNAL';

/** A place in a file: 1-based line and column (the same shape as a diagnostic's source). */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export class RunbookError extends Error {
  override readonly name = 'RunbookError';
  readonly code: RunbookErrorCode;
  readonly retryable: boolean;
  /** Extra lines shown under the message (e.g. the stderr tail of a command). */
  readonly details: readonly string[];
  /** Where in a runbook the problem is written, when it is about something written there. */
  readonly source?: SourceRef;

  constructor(
    code: RunbookErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: readonly string[]; source?: SourceRef } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? [];
    if (options.source !== undefined) this.source = options.source;
  }
}

export function isRunbookError(e: unknown): e is RunbookError {
  return e instanceof RunbookError;
}

/** A one-line description of any thrown value, for events and the journal. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
