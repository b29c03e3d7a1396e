/**
 * The timeline as inline SVG: a lane per node (and one for local steps), a bar per step instance made of
 * its segments. Hooks for tests and scripts, stable across releases:
 *
 * - `svg[data-timeline]` the timeline; `g[data-lane="NODE"]` one lane (`local` for local steps)
 * - `g[data-bar]` one step instance, with `data-step`, `data-instance`, `data-node`, `data-outcome`
 *   (succeeded | failed | tolerated | skipped | interrupted | running), `data-attempts`, `data-resumed`
 *   (true when an attempt ran in a later session), `data-waiting` (its action waits)
 * - `rect[data-segment]` inside a bar: `attempt` (with `data-attempt`, `data-outcome`), `retry-wait` or
 *   `gate`, each with `data-session` (1 for the first start, 2 for the first resume, …)
 * - `line[data-marker="retry"]` where an attempt failed and a retry was scheduled
 * - `g[data-session-break="N"]` the pause before session N; `g[data-gate="GATE"]` a gate's answer on the axis
 */
import { formatDuration } from '../ui/plain.js';
import { escapeHtml as esc } from './escape.js';
import { AXIS_HEIGHT, BAR_HEIGHT, barLabel, LANE_LABEL_WIDTH, layoutTimeline, ticks, type PlacedBar } from './layout.js';
import type { Outcome, RunReport, Segment } from './model.js';

/** Fill of each outcome; the HTML legend uses the same. */
export const OUTCOME_COLOURS: Readonly<Record<Outcome, string>> = {
  succeeded: '#2f9e44',
  failed: '#e03131',
  tolerated: '#f08c00',
  skipped: '#adb5bd',
  interrupted: '#7048e8',
  running: '#1c7ed6',
};
export const GATE_COLOUR = '#fcc419';
export const RETRY_WAIT_COLOUR = '#ced4da';

const num = (n: number): string => (Math.round(n * 10) / 10).toString();

/** `HH:MM:SS` in UTC, with milliseconds when the ticks are closer than a second. */
export function clock(t: number, withMs = false): string {
  const iso = new Date(t).toISOString();
  return withMs ? iso.slice(11, 23) : iso.slice(11, 19);
}

const DEFS = `<defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="transparent"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2.5" stroke-opacity="0.6"/></pattern>
</defs>`;

export function timelineSvg(report: RunReport, width = 1200): string {
  const layout = layoutTimeline(report, width);
  const { scale } = layout;
  const x = (t: number): number => LANE_LABEL_WIDTH + scale.x(t);
  const parts: string[] = [];
  parts.push(
    `<svg data-timeline="" width="${width}" height="${num(layout.height)}" viewBox="0 0 ${width} ${num(layout.height)}" role="img" aria-label="timeline of run ${esc(report.runId)}">`,
    DEFS,
  );
  const tickList = ticks(report.sessions, scale.width);
  const withMs = (tickList[0]?.stepMs ?? 1000) < 1000;
  parts.push('<g data-axis="">');
  for (const { t } of tickList) {
    const tx = num(x(t));
    parts.push(
      `<line x1="${tx}" y1="${AXIS_HEIGHT - 6}" x2="${tx}" y2="${num(layout.height)}" class="tick"/>`,
      `<text x="${tx}" y="${AXIS_HEIGHT - 10}" class="tick-label" text-anchor="middle">${clock(t, withMs)}</text>`,
    );
  }
  parts.push('</g>');
  for (const lane of layout.lanes) {
    parts.push(
      `<g data-lane="${esc(lane.id)}">`,
      `<rect x="0" y="${num(lane.y)}" width="${width}" height="${num(lane.height)}" class="lane"/>`,
      `<text x="8" y="${num(lane.y + 17)}" class="lane-label">${esc(lane.id)}</text>`,
      ...lane.bars.map((b) => barSvg(b, x)),
      '</g>',
    );
  }
  for (const b of scale.breaks) {
    const bx = num(LANE_LABEL_WIDTH + b.x);
    parts.push(
      `<g data-session-break="${b.session}"><title>${esc(`paused ${formatDuration(b.pauseMs)}, then resumed (session ${b.session})`)}</title>`,
      `<line x1="${bx}" y1="${AXIS_HEIGHT - 4}" x2="${bx}" y2="${num(layout.height)}" class="break"/>`,
      `<text x="${bx}" y="12" class="break-label" text-anchor="middle">resumed +${esc(formatDuration(b.pauseMs))}</text></g>`,
    );
  }
  for (const g of report.gates) {
    const gx = num(x(g.at));
    parts.push(
      `<g data-gate="${esc(g.gate)}"><title>${esc(`${g.question} → ${g.answer ? 'yes' : 'no'} (${g.by}) at ${clock(g.at, true)}`)}</title>`,
      `<path d="M${gx} ${AXIS_HEIGHT - 9} l5 5 l-5 5 l-5 -5 z" fill="${GATE_COLOUR}" stroke="#5c4400" stroke-width="0.8"/></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function barSvg(placed: PlacedBar, x: (t: number) => number): string {
  const { bar, y } = placed;
  const colour = OUTCOME_COLOURS[bar.outcome];
  const title = [
    `${bar.instance} on ${bar.target}: ${bar.outcome}`,
    bar.name,
    bar.action === undefined ? undefined : `action ${bar.action}`,
    `${bar.attempts} attempt${bar.attempts === 1 ? '' : 's'}, ${formatDuration(bar.busyMs)}`,
    bar.resumed ? 'ran again after a resume' : undefined,
    bar.error,
    bar.skipReason === undefined ? undefined : `skipped: ${bar.skipReason}${bar.skipDetail === undefined ? '' : ` (${bar.skipDetail})`}`,
  ].filter((l) => l !== undefined);
  const out = [
    `<g data-bar="" data-step="${esc(bar.step)}" data-instance="${esc(bar.instance)}" data-node="${esc(bar.target)}" data-outcome="${bar.outcome}" data-attempts="${bar.attempts}" data-resumed="${bar.resumed}" data-waiting="${bar.waiting}">`,
    `<title>${esc(title.join('\n'))}</title>`,
  ];
  if (bar.outcome === 'skipped' && bar.segments.length === 0) {
    out.push(`<rect x="${num(placed.x)}" y="${num(y)}" width="${num(placed.width)}" height="${BAR_HEIGHT}" rx="1.5" class="skipped" stroke="${colour}"/>`);
  } else {
    out.push(`<rect x="${num(placed.x)}" y="${num(y)}" width="${num(placed.width)}" height="${BAR_HEIGHT}" rx="2" fill="${colour}" fill-opacity="0.18" stroke="${colour}" stroke-width="0.8" class="extent"/>`);
  }
  for (const s of bar.segments) out.push(segmentSvg(s, x, y, bar.waiting));
  for (const s of bar.segments) {
    if (s.kind !== 'retry-wait') continue;
    const mx = num(x(s.start));
    out.push(`<line data-marker="retry" x1="${mx}" y1="${num(y - 3)}" x2="${mx}" y2="${num(y + BAR_HEIGHT + 3)}" class="retry"/>`);
  }
  const label = barLabel(bar);
  const labelAt = placed.labelLeft ? `x="${num(placed.x - 4)}" text-anchor="end"` : `x="${num(placed.x + placed.width + 4)}"`;
  out.push(`<text ${labelAt} y="${num(y + BAR_HEIGHT - 3)}" class="bar-label">${esc(label)}</text>`, '</g>');
  return out.join('');
}

function segmentSvg(s: Segment, x: (t: number) => number, y: number, waiting: boolean): string {
  const sx = x(s.start);
  const w = Math.max(s.kind === 'attempt' ? 2 : 1, x(s.end) - sx);
  const common = `data-segment="${s.kind}" data-session="${s.session}" x="${num(sx)}" y="${num(y)}" width="${num(w)}" height="${BAR_HEIGHT}"`;
  const resumed = s.session > 1 ? ' class="resumed"' : '';
  const note = s.note === undefined ? '' : `<title>${esc(s.note)}</title>`;
  if (s.kind === 'gate') return `<rect ${common} fill="${GATE_COLOUR}" fill-opacity="0.75"${resumed}>${note || '<title>waiting for a gate</title>'}</rect>`;
  if (s.kind === 'retry-wait') return `<rect ${common} fill="${RETRY_WAIT_COLOUR}"${resumed}><title>${esc(`waiting to retry${s.note === undefined ? '' : ` after: ${s.note}`}`)}</title></rect>`;
  const outcome = s.outcome ?? 'running';
  const fill = OUTCOME_COLOURS[outcome];
  const hatch = waiting ? `<rect x="${num(sx)}" y="${num(y)}" width="${num(w)}" height="${BAR_HEIGHT}" fill="url(#hatch)" pointer-events="none"/>` : '';
  return `<rect ${common} data-attempt="${s.attempt ?? 1}" data-outcome="${outcome}" fill="${fill}"${resumed}>${note || `<title>attempt ${s.attempt ?? 1}: ${outcome}</title>`}</rect>${hatch}`;
}
