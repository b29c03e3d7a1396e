/**
 * State of a run derived only from its journal. Pure: no file system, no clock; the caller reads
 * the file. Resume and `runbook show` both build on this.
 */
import { RunbookError } from '../errors.js';
import type { JournalRecord, NodeIdentityEntry } from './records.js';

/** Latest known state of one step instance (`id`, `id[key]`, `id@node`, `id[key]@node`). */
export interface InstanceState {
  readonly step: string;
  readonly instance: string;
  readonly target: string;
  readonly key?: string;
  /** `started` with no end record means the run stopped while it ran. */
  readonly status: 'started' | 'succeeded' | 'failed' | 'skipped';
  /** Attempts over the whole run, resumes included. */
  readonly attempts: number;
  /** Journaled outputs of the last success (secret outputs are never journaled). */
  readonly outputs?: Readonly<Record<string, unknown>>;
  /** Names of outputs withheld as secret: resume re-derives them by running the step again. */
  readonly secretOutputs: readonly string[];
  /** Message of the last failure, or of the last failed attempt while retrying. */
  readonly error?: string;
  readonly tolerated?: boolean;
  readonly skipReason?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** The vote it takes away (from its `step.started`): a resume counts it until the swarm shows it. */
  readonly quorum?: { readonly node: string; readonly kind: 'stop' | 'restart' | 'demote' };
}

/** A run as its journal tells it. */
export interface RunState {
  readonly runId: string;
  readonly runbook: string;
  /** File, hash and inventory of the latest start: what a further resume must still match. */
  readonly runbookFile: string;
  readonly runbookHash: string;
  readonly inventoryFile?: string;
  readonly inventoryHash?: string;
  readonly cluster?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly secretInputs: readonly string[];
  /** Names of the inputs given at the start; undefined in journals written before they were recorded. */
  readonly givenInputs?: readonly string[];
  /** `--limit` of the latest start; absent when it had none. */
  readonly limit?: string;
  /** `running`: no `run.finished` after the last `run.started` (still running, or killed). */
  readonly status: 'running' | 'succeeded' | 'failed' | 'interrupted' | 'refused';
  /** Time of the first start. */
  readonly startedAt: string;
  /** Time of the last finish, absent while running. */
  readonly finishedAt?: string;
  /** Time of the last record: when the run was last seen doing anything. */
  readonly lastRecordAt: string;
  /** Every step only reads: the run never supersedes another. */
  readonly readOnly: boolean;
  /** Latest state per instance, in the order instances first appeared. */
  readonly instances: ReadonlyMap<string, InstanceState>;
  /** Gate answers by gate name; a later answer replaces an earlier one. */
  readonly gates: ReadonlyMap<string, boolean>;
  /** Who answered at first contact, by `via:node` (`docker:node2`): what later contacts must meet. */
  readonly identities: ReadonlyMap<string, NodeIdentityEntry>;
  /** Number of `run.started` records: 1 plus the number of resumes. */
  readonly attemptsTotal: number;
  readonly records: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Tally {
  /** Attempts made in earlier starts of the run. */
  before: number;
  /** Highest attempt number seen in the start `segment`. */
  current: number;
  segment: number;
}

/** Folds a journal into the run's state. Throws when the journal does not begin with `run.started`. */
export function replay(records: readonly JournalRecord[]): RunState {
  const first = records[0];
  if (first === undefined) throw new RunbookError('INTERNAL', 'the journal is empty: the run never recorded its start');
  if (first.type !== 'run.started') {
    throw new RunbookError('INTERNAL', `the journal begins with ${first.type} (seq ${first.seq}), not run.started`);
  }
  const state: Mutable<Omit<RunState, 'instances' | 'gates' | 'identities'>> = {
    runId: first.runId,
    runbook: first.runbook,
    runbookFile: first.runbookFile,
    runbookHash: first.runbookHash,
    inputs: first.inputs,
    secretInputs: first.secretInputs,
    ...(first.givenInputs === undefined ? {} : { givenInputs: first.givenInputs }),
    status: 'running',
    startedAt: first.ts,
    lastRecordAt: records[records.length - 1]?.ts ?? first.ts,
    readOnly: first.readOnly === true,
    attemptsTotal: 0,
    records: records.length,
  };
  const instances = new Map<string, InstanceState>();
  const tallies = new Map<string, Tally>();
  const gates = new Map<string, boolean>();
  const identities = new Map<string, NodeIdentityEntry>();
  let segment = 0;

  const count = (instance: string, attempt: number): number => {
    let t = tallies.get(instance);
    if (t === undefined) {
      t = { before: 0, current: 0, segment };
      tallies.set(instance, t);
    }
    if (t.segment !== segment) {
      t.before += t.current;
      t.current = 0;
      t.segment = segment;
    }
    t.current = Math.max(t.current, attempt);
    return t.before + t.current;
  };

  for (const r of records) {
    switch (r.type) {
      case 'run.started':
        segment += 1;
        state.attemptsTotal += 1;
        state.status = 'running';
        delete state.finishedAt;
        state.runbookFile = r.runbookFile;
        state.runbookHash = r.runbookHash;
        setOptional(state, 'inventoryFile', r.inventoryFile);
        setOptional(state, 'inventoryHash', r.inventoryHash);
        setOptional(state, 'cluster', r.cluster);
        setOptional(state, 'limit', r.limit);
        break;
      case 'step.started': {
        instances.set(r.instance, {
          ...ref(r),
          status: 'started',
          attempts: count(r.instance, r.attempt),
          secretOutputs: [],
          startedAt: r.ts,
          ...(r.quorum === undefined ? {} : { quorum: r.quorum }),
        });
        break;
      }
      case 'step.retrying': {
        const prev = instances.get(r.instance);
        // `attempt` names the attempt about to run; the one that failed is counted.
        instances.set(r.instance, {
          ...(prev ?? { ...ref(r), status: 'started', secretOutputs: [] }),
          attempts: count(r.instance, r.attempt - 1),
          error: r.error,
        });
        break;
      }
      case 'step.succeeded': {
        const prev = instances.get(r.instance);
        instances.set(r.instance, {
          ...ref(r),
          status: 'succeeded',
          attempts: count(r.instance, r.attempt),
          outputs: r.outputs,
          secretOutputs: r.secretOutputs,
          ...(prev?.startedAt === undefined ? {} : { startedAt: prev.startedAt }),
          ...(prev?.quorum === undefined ? {} : { quorum: prev.quorum }),
          endedAt: r.ts,
        });
        break;
      }
      case 'step.failed': {
        const prev = instances.get(r.instance);
        instances.set(r.instance, {
          ...ref(r),
          status: 'failed',
          attempts: count(r.instance, r.attempt),
          secretOutputs: [],
          error: r.error,
          tolerated: r.tolerated,
          ...(prev?.startedAt === undefined ? {} : { startedAt: prev.startedAt }),
          ...(prev?.quorum === undefined ? {} : { quorum: prev.quorum }),
          endedAt: r.ts,
        });
        break;
      }
      case 'step.skipped': {
        const prev = instances.get(r.instance);
        // A resumed run may skip what an earlier start finished; the earlier result stands.
        if (r.reason === 'resumed' && prev !== undefined && prev.status !== 'started') break;
        instances.set(r.instance, {
          ...ref(r),
          status: 'skipped',
          attempts: prev?.attempts ?? 0,
          secretOutputs: [],
          skipReason: r.reason,
          endedAt: r.ts,
        });
        break;
      }
      case 'gate.answered':
        gates.set(r.gate, r.answer);
        break;
      case 'node.identified': {
        // The first contact is the reference; a later record of the same node does not replace it.
        const key = identityKey(r.via, r.node);
        if (identities.has(key)) break;
        identities.set(key, {
          node: r.node,
          via: r.via,
          endpoint: r.endpoint,
          hostname: r.hostname,
          ...(r.daemonId === undefined ? {} : { daemonId: r.daemonId }),
          ...(r.nodeId === undefined ? {} : { nodeId: r.nodeId }),
        });
        break;
      }
      case 'run.finished':
        state.status = r.status;
        state.finishedAt = r.ts;
        break;
      default:
        return assertNever(r);
    }
  }
  return { ...state, instances, gates, identities };
}

/** The key of `RunState.identities`. */
export function identityKey(via: NodeIdentityEntry['via'], node: string): string {
  return `${via}:${node}`;
}

function ref(r: { step: string; instance: string; target: string; key?: string }): Pick<InstanceState, 'step' | 'instance' | 'target' | 'key'> {
  return r.key === undefined
    ? { step: r.step, instance: r.instance, target: r.target }
    : { step: r.step, instance: r.instance, target: r.target, key: r.key };
}

function setOptional<K extends 'inventoryFile' | 'inventoryHash' | 'cluster' | 'limit'>(
  state: Mutable<Pick<RunState, K>>,
  key: K,
  value: string | undefined,
): void {
  if (value === undefined) delete state[key];
  else state[key] = value as Mutable<Pick<RunState, K>>[K];
}

function assertNever(r: never): never {
  throw new RunbookError('INTERNAL', `unhandled journal record ${JSON.stringify(r)}`);
}
