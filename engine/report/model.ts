/**
 * A run's report as data: its journal folded into sessions (one per start or resume), lanes (one per
 * node, one for local steps) and one bar per step instance, each bar made of segments — attempts, the
 * waits between retries, the time a gate held it. Pure: times come from the records, never a clock.
 * The HTML and SVG modules only draw this.
 */
import type { JournalRecord } from '../journal/records.js';
import { replay, type RunState } from '../journal/replay.js';

/** How an instance (or one attempt of it) ended. `running`: no end recorded and the run has not finished. */
export type Outcome = 'succeeded' | 'failed' | 'tolerated' | 'skipped' | 'interrupted' | 'running';

/** What the report knows of a step beyond the journal, from the runbook file when it still matches the run. */
export interface StepInfo {
  readonly name?: string;
  readonly action: string;
  readonly needs: readonly string[];
}

/** Actions whose work is waiting for something (live state, an HTTP answer, a person). */
const WAITING_ACTIONS: ReadonlySet<string> = new Set(['wait.until', 'http.probe', 'docker.node.wait', 'docker.tasks.wait', 'manual']);

/** One start of the run: the first, or a resume. Times in ms since the epoch. */
export interface Session {
  /** 1 for the first start, 2 for the first resume, … */
  readonly index: number;
  readonly start: number;
  /** Its `run.finished`, or its last record when it has none (killed, or still running). */
  readonly end: number;
  readonly resumed: boolean;
  readonly host: string;
  readonly pid: number;
  /** Absent when the session has no `run.finished`. */
  readonly status?: 'succeeded' | 'failed' | 'interrupted' | 'refused';
}

/** A stretch of a bar: an attempt, the delay before the next attempt, or waiting for a gate's answer. */
export interface Segment {
  readonly kind: 'attempt' | 'retry-wait' | 'gate';
  readonly start: number;
  readonly end: number;
  readonly session: number;
  /** The attempt number within its session (attempt segments only). */
  readonly attempt?: number;
  /** How the attempt ended (attempt segments only). */
  readonly outcome?: Outcome;
  /** The failure that led to a retry, or the gate's question. */
  readonly note?: string;
}

/** One step instance: one bar in its target's lane, one row of the table. */
export interface Bar {
  readonly instance: string;
  readonly step: string;
  /** Node name, or `local`. */
  readonly target: string;
  readonly key?: string;
  readonly name?: string;
  readonly action?: string;
  /** The action waits for something: its attempts are drawn as waiting. */
  readonly waiting: boolean;
  readonly outcome: Outcome;
  /** Attempts over the whole run, resumes included. */
  readonly attempts: number;
  readonly segments: readonly Segment[];
  /** First and last moment of the bar; a skip has start = end. */
  readonly start: number;
  readonly end: number;
  /** Time spent in attempts and retry delays, gates and the pauses between sessions left out. */
  readonly busyMs: number;
  /** Some attempt of it ran in a later session than the first. */
  readonly resumed: boolean;
  readonly outputs: readonly { readonly name: string; readonly value?: unknown; readonly secret: boolean }[];
  readonly error?: string;
  readonly code?: string;
  readonly details: readonly string[];
  readonly skipReason?: string;
  readonly skipDetail?: string;
}

export interface Lane {
  /** Node name, or `local`. */
  readonly id: string;
  readonly bars: readonly Bar[];
}

/** A gate's answer; `instances` are the bars it held, empty for the runbook's own gate. */
export interface GateMark {
  readonly gate: string;
  readonly question: string;
  readonly answer: boolean;
  readonly by: 'tty' | 'flag' | 'resume';
  readonly start: number;
  readonly at: number;
  readonly session: number;
  readonly instances: readonly string[];
}

export interface ReportInput {
  readonly name: string;
  /** Absent for a secret input: its value is never in the journal and never in the report. */
  readonly value?: unknown;
  readonly secret: boolean;
  readonly given?: boolean;
}

/** The run's identity, sources and times, as replay tells them. */
type RunFacts = Pick<RunState, 'runId' | 'runbook' | 'runbookFile' | 'runbookHash' | 'inventoryFile' | 'inventoryHash' | 'cluster' | 'limit' | 'status' | 'startedAt' | 'finishedAt'>;

export interface RunReport extends RunFacts {
  readonly inputs: readonly ReportInput[];
  readonly sessions: readonly Session[];
  /** `local` first (when any step ran locally), then nodes in natural order (node2 before node10). */
  readonly lanes: readonly Lane[];
  /** Every instance, in the order it first appeared in the journal. */
  readonly bars: readonly Bar[];
  readonly gates: readonly GateMark[];
  /** Whether step names and actions came from the runbook file (it still matches the journal's hash). */
  readonly knowsSteps: boolean;
}

interface Draft {
  segments: Segment[];
  open?: { kind: 'attempt' | 'retry-wait'; start: number; attempt?: number; note?: string };
  attemptInSession: number;
  firstStartBySession: Map<number, number>;
}

const ms = (ts: string): number => Date.parse(ts);

/** Folds a run's journal into its report. `steps` (by step id) adds names, actions and needs. */
export function reportModel(records: readonly JournalRecord[], steps?: ReadonlyMap<string, StepInfo>): RunReport {
  const state = replay(records);
  const sessions = sessionsOf(records);
  const drafts = new Map<string, Draft>();
  const draft = (instance: string): Draft => {
    let d = drafts.get(instance);
    if (d === undefined) {
      d = { segments: [], attemptInSession: 0, firstStartBySession: new Map() };
      drafts.set(instance, d);
    }
    return d;
  };
  const close = (d: Draft, end: number, session: number, outcome: Outcome): void => {
    const open = d.open;
    if (open === undefined) return;
    d.segments.push({
      kind: open.kind,
      start: open.start,
      end: Math.max(open.start, end),
      session,
      ...(open.kind === 'attempt' ? { attempt: open.attempt ?? 1, outcome } : {}),
      ...(open.note === undefined ? {} : { note: open.note }),
    });
    delete d.open;
  };
  const endSession = (session: Session | undefined): void => {
    if (session === undefined) return;
    const cut: Outcome = session.status === undefined && session.index === sessions.length ? 'running' : 'interrupted';
    for (const d of drafts.values()) close(d, session.end, session.index, cut);
  };

  let session = 0;
  const gateRecords: { record: Extract<JournalRecord, { type: 'gate.answered' }>; previous: number; session: number }[] = [];
  let previousTs = 0;
  for (const r of records) {
    const t = ms(r.ts);
    switch (r.type) {
      case 'run.started':
        endSession(sessions[session - 1]);
        session += 1;
        for (const d of drafts.values()) d.attemptInSession = 0;
        break;
      case 'step.started': {
        const d = draft(r.instance);
        close(d, t, session, 'interrupted');
        d.attemptInSession += 1;
        if (!d.firstStartBySession.has(session)) d.firstStartBySession.set(session, t);
        d.open = { kind: 'attempt', start: t, attempt: r.attempt };
        break;
      }
      case 'step.retrying': {
        const d = draft(r.instance);
        close(d, t, session, 'failed');
        d.open = { kind: 'retry-wait', start: t, note: r.error };
        break;
      }
      case 'step.succeeded':
        close(draft(r.instance), t, session, 'succeeded');
        break;
      case 'step.failed': {
        const d = draft(r.instance);
        const outcome: Outcome = r.tolerated ? 'tolerated' : 'failed';
        // A failure before any attempt (its `with` could not be evaluated) is an instant.
        if (d.open === undefined) d.segments.push({ kind: 'attempt', start: t, end: t, session, attempt: r.attempt, outcome, note: r.error });
        else close(d, t, session, outcome);
        break;
      }
      case 'step.skipped':
        draft(r.instance);
        break;
      case 'gate.answered':
        gateRecords.push({ record: r, previous: previousTs, session });
        break;
      case 'run.finished':
        break;
    }
    previousTs = t;
  }
  endSession(sessions[session - 1]);

  const bars = [...state.instances.values()].map((inst) => {
    const d = drafts.get(inst.instance) ?? draft(inst.instance);
    const info = steps?.get(inst.step);
    const instant = inst.endedAt === undefined ? undefined : ms(inst.endedAt);
    const times = d.segments.flatMap((s) => [s.start, s.end]);
    const start = times.length > 0 ? Math.min(...times) : (instant ?? ms(state.startedAt));
    const end = times.length > 0 ? Math.max(...times) : start;
    const outcome = outcomeOf(inst.status, inst.tolerated === true, state.status);
    const failure = inst.status === 'failed' ? failureOf(records, inst.instance) : undefined;
    const bar: Bar = {
      instance: inst.instance,
      step: inst.step,
      target: inst.target,
      ...(inst.key === undefined ? {} : { key: inst.key }),
      ...(info?.name === undefined ? {} : { name: info.name }),
      ...(info === undefined ? {} : { action: info.action }),
      waiting: info !== undefined && WAITING_ACTIONS.has(info.action),
      outcome,
      attempts: inst.attempts,
      segments: d.segments,
      start,
      end,
      busyMs: d.segments.reduce((sum, s) => sum + (s.kind === 'gate' ? 0 : s.end - s.start), 0),
      resumed: d.segments.some((s) => s.session > 1),
      outputs: outputsOf(inst.outputs ?? {}, inst.secretOutputs),
      ...(inst.error === undefined || inst.status === 'succeeded' ? {} : { error: inst.error }),
      ...(failure === undefined ? {} : { code: failure.code }),
      details: failure?.details ?? [],
      ...(inst.skipReason === undefined ? {} : { skipReason: inst.skipReason }),
      ...(inst.status === 'skipped' ? skipDetailOf(records, inst.instance) : {}),
    };
    return bar;
  });

  const gates = gateRecords.map(({ record, previous, session: s }) => placeGate(record, previous, s, sessions, bars, drafts, steps));
  const withGates = bars.map((b) => addGateSegments(b, gates));

  const { runId, runbook, runbookFile, runbookHash, inventoryFile, inventoryHash, cluster, limit, status, startedAt, finishedAt } = state;
  const facts: RunFacts = { runId, runbook, runbookFile, runbookHash, inventoryFile, inventoryHash, cluster, limit, status, startedAt, finishedAt };
  return {
    ...facts,
    inputs: inputsOf(state),
    sessions,
    lanes: lanesOf(withGates),
    bars: withGates,
    gates,
    knowsSteps: steps !== undefined,
  };
}

/** One session per `run.started`, ending at its `run.finished` or at its last record. */
export function sessionsOf(records: readonly JournalRecord[]): Session[] {
  const out: Session[] = [];
  let current: { start: number; resumed: boolean; host: string; pid: number; last: number; status?: Session['status']; end?: number } | undefined;
  const push = (): void => {
    if (current === undefined) return;
    out.push({
      index: out.length + 1,
      start: current.start,
      end: current.end ?? current.last,
      resumed: current.resumed,
      host: current.host,
      pid: current.pid,
      ...(current.status === undefined ? {} : { status: current.status }),
    });
  };
  for (const r of records) {
    const t = ms(r.ts);
    if (r.type === 'run.started') {
      push();
      current = { start: t, resumed: r.resumed, host: r.host, pid: r.pid, last: t };
      continue;
    }
    if (current === undefined) continue;
    current.last = t;
    if (r.type === 'run.finished') {
      current.status = r.status;
      current.end = t;
    }
  }
  push();
  return out;
}

function outcomeOf(status: 'started' | 'succeeded' | 'failed' | 'skipped', tolerated: boolean, run: RunState['status']): Outcome {
  if (status === 'started') return run === 'running' ? 'running' : 'interrupted';
  if (status === 'failed') return tolerated ? 'tolerated' : 'failed';
  return status;
}

function failureOf(records: readonly JournalRecord[], instance: string): { code: string; details: readonly string[] } | undefined {
  const last = records.findLast((r): r is Extract<JournalRecord, { type: 'step.failed' }> => r.type === 'step.failed' && r.instance === instance);
  return last === undefined ? undefined : { code: last.code, details: last.details };
}

function skipDetailOf(records: readonly JournalRecord[], instance: string): { skipDetail?: string } {
  const last = records.findLast((r): r is Extract<JournalRecord, { type: 'step.skipped' }> => r.type === 'step.skipped' && r.instance === instance);
  return last?.detail === undefined ? {} : { skipDetail: last.detail };
}

function outputsOf(outputs: Readonly<Record<string, unknown>>, secret: readonly string[]): Bar['outputs'] {
  return [
    ...Object.entries(outputs)
      .filter(([name]) => !secret.includes(name))
      .map(([name, value]) => ({ name, value, secret: false })),
    ...secret.map((name) => ({ name, secret: true })),
  ];
}

function inputsOf(state: RunState): ReportInput[] {
  const given = state.givenInputs === undefined ? undefined : new Set(state.givenInputs);
  const flag = (name: string): { given?: boolean } => (given === undefined ? {} : { given: given.has(name) });
  return [
    ...Object.entries(state.inputs)
      .filter(([name]) => !state.secretInputs.includes(name))
      .map(([name, value]) => ({ name, value, secret: false, ...flag(name) })),
    ...state.secretInputs.map((name) => ({ name, secret: true, ...flag(name) })),
  ];
}

/**
 * Where a gate's wait began. The journal records only the answer, so the wait is taken to begin when the
 * step could start: its needs' last end in the same session when the runbook is known, else the record
 * before the answer; never before its session began. The runbook's own gate waits from the start.
 */
function placeGate(
  r: Extract<JournalRecord, { type: 'gate.answered' }>,
  previous: number,
  session: number,
  sessions: readonly Session[],
  bars: readonly Bar[],
  drafts: ReadonlyMap<string, Draft>,
  steps: ReadonlyMap<string, StepInfo> | undefined,
): GateMark {
  const at = ms(r.ts);
  const from = sessions[session - 1]?.start ?? at;
  const held = heldBy(r.gate, bars).filter((b) => {
    const first = drafts.get(b.instance)?.firstStartBySession.get(session);
    return first !== undefined && first >= at;
  });
  let start = Math.max(from, Math.min(previous, at));
  const stepId = r.gate.startsWith('step:') ? r.gate.slice('step:'.length) : undefined;
  const needs = stepId === undefined ? undefined : steps?.get(stepId)?.needs;
  if (r.gate === 'runbook') start = from;
  else if (needs !== undefined) {
    const ends = bars
      .filter((b) => needs.includes(b.step))
      .flatMap((b) => b.segments.filter((s) => s.session === session && s.end <= at).map((s) => s.end));
    start = Math.max(from, ...ends);
  }
  return { gate: r.gate, question: r.question, answer: r.answer, by: r.by, start, at, session, instances: held.map((b) => b.instance) };
}

function heldBy(gate: string, bars: readonly Bar[]): readonly Bar[] {
  if (gate.startsWith('step:')) return bars.filter((b) => b.step === gate.slice('step:'.length));
  if (gate.startsWith('rerun:')) return bars.filter((b) => b.instance === gate.slice('rerun:'.length));
  return [];
}

function addGateSegments(bar: Bar, gates: readonly GateMark[]): Bar {
  const mine = gates.filter((g) => g.instances.includes(bar.instance));
  if (mine.length === 0) return bar;
  const segments = [
    ...mine.map((g): Segment => ({ kind: 'gate', start: g.start, end: g.at, session: g.session, note: g.question })),
    ...bar.segments,
  ].sort((a, b) => a.start - b.start);
  return { ...bar, segments, start: Math.min(bar.start, ...mine.map((g) => g.start)) };
}

function lanesOf(bars: readonly Bar[]): Lane[] {
  const ids = [...new Set(bars.map((b) => b.target))].sort((a, b) =>
    a === 'local' ? -1 : b === 'local' ? 1 : a.localeCompare(b, 'en', { numeric: true }),
  );
  return ids.map((id) => ({ id, bars: bars.filter((b) => b.target === id) }));
}
