/**
 * Executes a runbook (or resumes one): takes the lock, opens the journal, answers the runbook's
 * gate, then starts every step as soon as its needs are done — as much parallelism as `needs`
 * allows — and records how the run ended.
 */
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Ports } from '../io/ports.js';
import type { Runbook } from '../dsl/types.js';
import { describeError, RunbookError } from '../errors.js';
import { noteRun, reportInternal } from '../internal-error.js';
import { interpolate } from '../expr/interpolate.js';
import { executionOrder } from '../graph/order.js';
import type { LiveManagerResolver } from '../plan/targets.js';
import type { Limit } from '../inventory/limit.js';
import type { Inventory } from '../inventory/types.js';
import type { RunState } from '../journal/replay.js';
import { newRunId, type RunLock, type RunStore } from '../journal/run-store.js';
import { JournalReporter } from './journal-reporter.js';
import { baseContext, instanceContext } from '../plan/context.js';
import type { Reporter, RunEvent, RunStatus } from './events.js';
import { passGate } from './gates.js';
import { located } from '../plan/located.js';
import { RunSession, type ResumeFrom } from './session.js';
import { NodeIdentity } from './node-identity.js';
import { QuorumGate, type EarlierEffect } from './quorum-gate.js';
import { changesNothing } from './read-only.js';
import { schedule } from './schedule.js';

export interface RunRequest {
  readonly runbook: Runbook;
  /** Resolved inputs, secrets included (they are masked before anything is written). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Names of the inputs the caller gave (the rest are defaults): a resume asks again for the secret ones. */
  readonly givenInputs?: readonly string[];
  readonly inventory?: Inventory;
  /** `--limit`: the nodes the run may touch (parsed against `inventory`); none means every node. */
  readonly limit?: Limit;
  /** Where the journal and the cluster lock live. */
  readonly store: RunStore;
  readonly yes: boolean;
  readonly ports: Ports;
  readonly reporters: readonly Reporter[];
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly resume?: ResumeFrom;
  readonly live?: LiveManagerResolver;
}

export interface RunOutcome {
  readonly runId: string;
  readonly dir: string;
  readonly status: RunStatus;
  readonly error?: Error;
  /** Journal figures, for the benchmark. */
  readonly journal: { readonly records: number; readonly fsyncs: number; readonly fsyncMs: number };
}

export async function executeRun(request: RunRequest): Promise<RunOutcome> {
  const { runbook } = request;
  // Every running instance listens for cancellation: a fan-out over 100 nodes is 100 listeners, not a leak.
  setMaxListeners(0, request.signal);
  const runId = request.resume?.state.runId ?? newRunId(new Date());
  const readOnly = changesNothing(runbook);
  const { store } = request;
  const lock: RunLock = readOnly
    ? { check: () => undefined, release: async () => undefined }
    : await store.lock(
        { cluster: request.inventory?.cluster ?? 'local', runbook: runbook.name, scope: request.inventory === undefined ? 'runbook' : 'cluster' },
        { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), runId, runbook: runbook.name },
      );
  let dir: string;
  let journal: JournalReporter;
  try {
    if (request.resume !== undefined) await unchangedSince(store, request.resume.state);
    dir = await store.runDir(runId);
    journal = new JournalReporter(request.resume === undefined ? await store.create(runId) : await store.reopen(runId));
    noteRun(runId, dir);
  } catch (e) {
    await lock.release();
    throw e;
  }
  const started = request.ports.clock.now();
  const base = baseContext({
    inputs: request.inputs,
    inventory: request.inventory,
    runId,
    runDir: dir,
    envAllowList: runbook.env,
    env: request.env,
  });
  // Identities are journaled as events of the session, which exists once the checker is made.
  const emit = (event: RunEvent): void => session.emit(event);
  const session: RunSession = RunSession.create(
    {
      runId,
      runDir: dir,
      inventory: request.inventory,
      limit: request.limit,
      ports: request.ports,
      reporters: [journal, ...request.reporters],
      signal: request.signal,
      yes: request.yes,
      resume: request.resume,
      live: request.live,
      env: request.env,
      lock,
      schedule,
      quorum:
        request.inventory === undefined
          ? undefined
          : new QuorumGate(request.inventory, request.ports.docker, request.signal, earlierEffects(request.resume?.state)),
      identity: request.inventory === undefined ? undefined : new NodeIdentity(request.ports, request.signal, emit, request.resume?.state.identities),
    },
    runbook,
    base,
  );
  const secretInputs = runbook.inputs.filter((i) => i.secret).map((i) => i.name);
  for (const name of secretInputs) session.masker.add(request.inputs[name]);
  let status: RunStatus = 'failed';
  let error: Error | undefined;
  try {
    session.emit({
      type: 'run.started',
      runId,
      runbook: runbook.name,
      runbookFile: runbook.file,
      runbookHash: runbook.hash,
      ...(request.inventory === undefined
        ? {}
        : { inventoryFile: request.inventory.file, inventoryHash: request.inventory.hash, cluster: request.inventory.cluster }),
      inputs: Object.fromEntries(Object.entries(request.inputs).filter(([k]) => !secretInputs.includes(k))),
      secretInputs,
      givenInputs: [...(request.givenInputs ?? [])],
      ...(readOnly ? { readOnly: true } : {}),
      ...(request.limit === undefined ? {} : { limit: request.limit.pattern }),
      resumed: request.resume !== undefined,
      pid: process.pid,
      host: hostname(),
    });
    const order = executionOrder(runbook.steps);
    session.emit({
      type: 'plan.ready',
      steps: order.map((s) => ({ step: s.id, name: s.name ?? s.id, needs: [...s.needs] })),
    });
    await session.flush();
    const confirm = runbook.confirm;
    if (confirm !== undefined) {
      const question = String(located({ runbook, prefix: '' }, ['confirm'], () => interpolate(confirm, instanceContext(base, {}))));
      await passGate(session, 'runbook', question);
    }
    await schedule(session, order);
    ({ status, error } = verdict(session));
  } catch (e) {
    ({ status, error } = e instanceof RunbookError && e.code === 'GATE_REFUSED'
      ? { status: 'refused' as const, error: e }
      : request.signal.aborted
        ? { status: 'interrupted' as const, error: new RunbookError('ABORTED', 'interrupted') }
        : { status: 'failed' as const, error: e instanceof RunbookError ? e : new Error(reportInternal(e, (t) => session.masker.mask(t), dir)) });
  } finally {
    // A lost store or lock outranks what the steps did: it is why the run stopped.
    const stop = session.lockLost ?? (await journal.flush().then(() => undefined, (e: unknown) => e as Error));
    if (stop !== undefined) ({ status, error } = { status: 'failed', error: stop });
    session.emit({
      type: 'run.finished',
      status,
      durationMs: request.ports.clock.now() - started,
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
    // When the store is gone the end stays unrecorded: the run reads as stopped mid-way, and resumes.
    await session.flush().catch(() => undefined);
    await journal.close().catch(() => undefined);
    for (const r of request.reporters) await r.close?.();
    await lock.release().catch(() => undefined);
  }
  return { runId, dir, status, ...(error === undefined ? {} : { error }), journal: { ...journal.stats } };
}

/**
 * A resume decides from the journal it read before it took the lock; if another resume (on this host or
 * another) went on with the run in between, that decision is stale and acting on it could run a step twice.
 */
async function unchangedSince(store: RunStore, read: RunState): Promise<void> {
  const now = (await store.read(read.runId)).state;
  if (now.records === read.records) return;
  throw new RunbookError(
    'LOCKED',
    `run ${read.runId} went on elsewhere while this resume was starting (its journal has ${now.records - read.records} more records, ` +
      `status ${now.status}); nothing was run. Look at it (runbook show ${read.runId}), and resume again if it is still unfinished`,
  );
}

/** Votes the run took away before it was resumed: counted until the swarm shows them. */
function earlierEffects(state: RunState | undefined): EarlierEffect[] {
  if (state === undefined) return [];
  const out: EarlierEffect[] = [];
  for (const i of state.instances.values()) {
    if (i.quorum === undefined || i.status === 'skipped') continue;
    out.push({ by: i.instance, effect: i.quorum, phase: i.status === 'succeeded' ? 'done' : 'uncertain' });
  }
  return out;
}

function verdict(session: RunSession): { status: RunStatus; error?: Error } {
  if (session.signal.aborted) return { status: 'interrupted', error: new RunbookError('ABORTED', 'interrupted') };
  if (session.refusal !== undefined) return { status: 'refused', error: session.refusal };
  if (session.stopped) return { status: 'failed', error: new RunbookError('STEP_FAILED', 'a step failed') };
  return { status: 'succeeded' };
}
