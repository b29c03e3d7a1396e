/**
 * The timeline's geometry: time to x across sessions, with the pause between a run's sessions (killed on
 * Monday, resumed on Tuesday) drawn as a fixed-width break instead of a day of empty space; bars packed
 * into rows so that overlapping instances on one node do not hide each other; axis ticks. Pure.
 */
import type { Bar, RunReport, Session } from './model.js';

export const LANE_LABEL_WIDTH = 120;
export const ROW_HEIGHT = 22;
export const BAR_HEIGHT = 14;
export const AXIS_HEIGHT = 28;
export const GAP_WIDTH = 28;
/** A bar never drawn narrower, so an instant (a skip, a failure before any attempt) stays visible. */
export const MIN_BAR_WIDTH = 3;
const LANE_PADDING = 6;
/** About how wide one character of a bar's label is (11 px monospace). */
export const LABEL_CHAR_WIDTH = 6.7;

/** The text beside a bar: its instance, and how many attempts when more than one. */
export function barLabel(bar: Bar): string {
  return `${bar.instance}${bar.attempts > 1 ? ` ×${bar.attempts}` : ''}`;
}

/** Maps times to x over the sessions; `width` excludes the lane labels. */
export interface TimeScale {
  readonly width: number;
  x(t: number): number;
  /** The pauses between sessions: x of the break and how long the pause really was. */
  readonly breaks: readonly { readonly x: number; readonly pauseMs: number; readonly session: number }[];
}

export function timeScale(sessions: readonly Session[], width: number): TimeScale {
  const spans = sessions.map((s) => ({ start: s.start, length: Math.max(1, s.end - s.start) }));
  const total = spans.reduce((sum, s) => sum + s.length, 0) || 1;
  const k = Math.max(0, width - GAP_WIDTH * Math.max(0, spans.length - 1)) / total;
  const offsets: number[] = [];
  let x = 0;
  for (const s of spans) {
    offsets.push(x);
    x += s.length * k + GAP_WIDTH;
  }
  const breaks = sessions.slice(1).map((s, i) => ({
    x: (offsets[i + 1] ?? 0) - GAP_WIDTH / 2,
    pauseMs: s.start - (sessions[i]?.end ?? s.start),
    session: s.index,
  }));
  return {
    width,
    breaks,
    x(t: number): number {
      let i = 0;
      for (let j = 0; j < spans.length; j += 1) if ((spans[j]?.start ?? Infinity) <= t) i = j;
      const span = spans[i];
      if (span === undefined) return 0;
      const within = Math.min(Math.max(t - span.start, 0), span.length);
      return (offsets[i] ?? 0) + within * k;
    },
  };
}

const NICE_STEPS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];

/** Tick times on round multiples of a step chosen so that about one tick falls every 100 px. */
export function ticks(sessions: readonly Session[], width: number): { readonly t: number; readonly stepMs: number }[] {
  const total = sessions.reduce((sum, s) => sum + Math.max(1, s.end - s.start), 0);
  const wanted = Math.max(2, Math.floor(width / 100));
  const stepMs = NICE_STEPS.find((s) => total / s <= wanted) ?? (NICE_STEPS[NICE_STEPS.length - 1] as number);
  return sessions.flatMap((s) => {
    const out: { t: number; stepMs: number }[] = [];
    for (let t = Math.ceil(s.start / stepMs) * stepMs; t <= s.end && out.length < 1000; t += stepMs) out.push({ t, stepMs });
    return out;
  });
}

export interface PlacedBar {
  readonly bar: Bar;
  readonly row: number;
  readonly x: number;
  readonly width: number;
  readonly y: number;
  /** Its label is drawn before the bar, which ends too near the right edge for it. */
  readonly labelLeft: boolean;
}

export interface PlacedLane {
  readonly id: string;
  readonly y: number;
  readonly height: number;
  readonly bars: readonly PlacedBar[];
}

export interface TimelineLayout {
  readonly width: number;
  readonly height: number;
  readonly scale: TimeScale;
  readonly lanes: readonly PlacedLane[];
}

/** Places every bar: each lane as tall as the most bars that overlap in it. */
export function layoutTimeline(report: Pick<RunReport, 'sessions' | 'lanes'>, width: number): TimelineLayout {
  const scale = timeScale(report.sessions, width - LANE_LABEL_WIDTH - 12);
  let y = AXIS_HEIGHT;
  const lanes = report.lanes.map((lane) => {
    const rowsEnd: number[] = [];
    const bars = [...lane.bars]
      .sort((a, b) => a.start - b.start)
      .map((bar) => {
        const x = LANE_LABEL_WIDTH + scale.x(bar.start);
        const w = Math.max(MIN_BAR_WIDTH, LANE_LABEL_WIDTH + scale.x(bar.end) - x);
        // The label goes after the bar, or before it when it would run off the right edge; either way it
        // takes room in the bar's row.
        const labelWidth = barLabel(bar).length * LABEL_CHAR_WIDTH + 8;
        const labelLeft = x + w + labelWidth > width;
        const from = labelLeft ? x - labelWidth : x;
        let row = rowsEnd.findIndex((end) => end + 1 < from);
        if (row === -1) row = rowsEnd.push(0) - 1;
        rowsEnd[row] = labelLeft ? x + w : x + w + labelWidth;
        return { bar, row, x, width: w, labelLeft, y: y + LANE_PADDING + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2 };
      });
    const height = Math.max(1, rowsEnd.length) * ROW_HEIGHT + 2 * LANE_PADDING;
    const placed: PlacedLane = { id: lane.id, y, height, bars };
    y += height;
    return placed;
  });
  return { width, height: y + 4, scale, lanes };
}
