/**
 * A run's report as one self-contained HTML page: inline CSS, inline SVG, no script, and nothing fetched
 * from anywhere (no fonts, images or links outside the page), so it can be mailed or attached to a ticket
 * and opened offline. Hooks for tests, besides the timeline's (see svg.ts):
 *
 * - `[data-run-id]`, `[data-status]` on `<body>`; `section[data-section="summary|inputs|timeline|gates|steps|NOTE_ID"]`
 * - `tr[data-input="NAME"]` with `data-secret`; `tr[data-step-row="INSTANCE"]` with `data-outcome`, `data-node`
 */
import { formatDuration } from '../ui/plain.js';
import { escapeHtml as esc, showValue } from './escape.js';
import type { Bar, RunReport } from './model.js';
import { clock, GATE_COLOUR, OUTCOME_COLOURS, RETRY_WAIT_COLOUR, timelineSvg } from './svg.js';

/** An extra section: things the reader must know to read the run right (a drill's lab, for one). */
export interface ReportNote {
  readonly id: string;
  readonly title: string;
  readonly intro?: string;
  readonly items: readonly { readonly title: string; readonly detail: string }[];
}

export interface HtmlOptions {
  /** ISO time the report was made, shown in the footer. */
  readonly generatedAt?: string;
  readonly notes?: readonly ReportNote[];
}

const MASK = '***';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#212529;margin:24px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
code,.mono,td.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px;vertical-align:middle}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.summary dt{color:#495057}dl.summary dd{margin:0}
table{border-collapse:collapse;margin:4px 0}th,td{border:1px solid #dee2e6;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f1f3f5}
td.num{text-align:right;white-space:nowrap}td{overflow-wrap:anywhere;max-width:46ch}.secret{color:#868e96;font-style:italic}
.timeline{overflow-x:auto;border:1px solid #dee2e6;padding:4px;background:#fcfcfd}
.legend span{display:inline-block;margin-right:14px;font-size:12.5px}.legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:baseline;border:1px solid #0002}
svg .lane{fill:transparent;stroke:#e9ecef}svg g[data-lane]:nth-of-type(even) .lane{fill:#f8f9fa}
svg .lane-label{font:600 12px system-ui,sans-serif;fill:#343a40}svg .bar-label{font:11px ui-monospace,monospace;fill:#495057}
svg .tick{stroke:#e9ecef}svg .tick-label{font:10.5px ui-monospace,monospace;fill:#868e96}
svg .break{stroke:#495057;stroke-dasharray:4 3}svg .break-label{font:10.5px system-ui,sans-serif;fill:#495057}
svg .retry{stroke:#212529;stroke-width:1.5}svg .resumed{stroke:#212529;stroke-width:1.2;stroke-dasharray:3 2}
svg .skipped{fill:#fff;stroke-width:1.2}
.note{background:#fff9db;border:1px solid #ffe066;padding:8px 14px;border-radius:4px}.note li{margin:3px 0}
pre{margin:0;white-space:pre-wrap;word-break:break-word;max-width:60ch}details summary{cursor:pointer;color:#495057}
footer{margin-top:32px;color:#868e96;font-size:12px}
`;

export function reportHtml(report: RunReport, options: HtmlOptions = {}): string {
  const title = `${report.runbook} — ${report.runId}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No fetch of any kind, whatever a journal's text holds: nothing but inline styles and data: images.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body data-run-id="${esc(report.runId)}" data-status="${report.status}">`,
    `<h1>${esc(report.runbook)} ${badge(report.status)}</h1>`,
    `<div class="mono">run ${esc(report.runId)}</div>`,
    summary(report),
    ...(options.notes ?? []).map(noteSection),
    inputs(report),
    timeline(report),
    gates(report),
    stepsTable(report),
    `<footer>Made by runbook from the run's journal${options.generatedAt === undefined ? '' : ` at ${esc(options.generatedAt)}`}. Times are UTC. Secret inputs and secret outputs are never journaled and appear here as ${MASK}.</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}

function badge(status: string): string {
  const colour = status === 'succeeded' ? OUTCOME_COLOURS.succeeded : status === 'running' ? OUTCOME_COLOURS.running : status === 'interrupted' ? OUTCOME_COLOURS.interrupted : OUTCOME_COLOURS.failed;
  return `<span class="badge" style="background:${colour}">${esc(status)}</span>`;
}

function summary(r: RunReport): string {
  const finished = r.finishedAt === undefined ? undefined : Date.parse(r.finishedAt) - Date.parse(r.startedAt);
  const rows: [string, string][] = [
    ['Runbook', `${esc(r.runbook)} <span class="mono">${esc(r.runbookFile)}</span>`],
    ['Runbook hash', `<span class="mono">${esc(r.runbookHash)}</span>`],
    ['Run id', `<span class="mono">${esc(r.runId)}</span>`],
    ['Status', esc(r.status)],
    ['Started', esc(r.startedAt)],
    ['Finished', r.finishedAt === undefined ? 'not finished (still running, or stopped without a word)' : esc(r.finishedAt)],
    ['Elapsed', finished === undefined ? '-' : esc(formatDuration(finished))],
    ['Cluster', r.cluster === undefined ? 'none (no inventory)' : esc(r.cluster)],
    ['Inventory', r.inventoryFile === undefined ? 'none' : `<span class="mono">${esc(r.inventoryFile)}</span>`],
    ['Inventory hash', r.inventoryHash === undefined ? '-' : `<span class="mono">${esc(r.inventoryHash)}</span>`],
    ['Limit', r.limit === undefined ? 'none: every node' : `<span class="mono">${esc(r.limit)}</span>`],
    ['Sessions', r.sessions.map((s) => esc(`${s.index === 1 ? 'started' : 'resumed'} ${new Date(s.start).toISOString()} by pid ${s.pid} on ${s.host}${s.status === undefined ? ', no finish recorded' : `, ${s.status}`}`)).join('<br>')],
  ];
  const dl = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  return `<section data-section="summary"><dl class="summary">${dl}</dl></section>`;
}

function noteSection(note: ReportNote): string {
  const items = note.items.map((i) => `<li><b>${esc(i.title)}</b> — ${esc(i.detail)}</li>`).join('');
  return `<section data-section="${esc(note.id)}"><h2>${esc(note.title)}</h2><div class="note">${note.intro === undefined ? '' : `<p>${esc(note.intro)}</p>`}<ul>${items}</ul></div></section>`;
}

function inputs(r: RunReport): string {
  if (r.inputs.length === 0) return '<section data-section="inputs"><h2>Inputs</h2><p>none</p></section>';
  const rows = r.inputs.map((i) => {
    const value = i.secret ? `<span class="secret">${MASK} (secret)</span>` : `<span class="mono">${esc(showValue(i.value))}</span>`;
    const given = i.given === undefined ? '' : i.given ? 'given' : 'default';
    return `<tr data-input="${esc(i.name)}" data-secret="${i.secret}"><td class="mono">${esc(i.name)}</td><td>${value}</td><td>${given}</td></tr>`;
  });
  return `<section data-section="inputs"><h2>Inputs</h2><table><tr><th>name</th><th>value</th><th></th></tr>${rows.join('')}</table></section>`;
}

function timeline(r: RunReport): string {
  const swatch = (colour: string, label: string, extra = ''): string => `<span><i style="background:${colour}${extra}"></i>${label}</span>`;
  const legend = [
    ...Object.entries(OUTCOME_COLOURS).map(([k, c]) => swatch(c, k)),
    swatch(RETRY_WAIT_COLOUR, 'waiting to retry (a black tick marks the failed attempt)'),
    swatch(GATE_COLOUR, 'waiting for a gate (◆ on the axis: its answer)'),
    swatch(OUTCOME_COLOURS.succeeded, 'a waiting action (wait.until, http.probe, …)', ';background-image:repeating-linear-gradient(45deg,#fff9 0 2px,transparent 2px 5px)'),
    swatch('#fff', 'dashed outline: ran in a resumed session', ';border:1.5px dashed #212529'),
  ].join('');
  const steps = r.knowsSteps ? '' : '<p>The runbook file changed since the run (or is gone): step names and actions are not shown, and waits are not told apart.</p>';
  return `<section data-section="timeline"><h2>Timeline</h2><div class="legend">${legend}</div>${steps}<div class="timeline">${timelineSvg(r)}</div></section>`;
}

function gates(r: RunReport): string {
  if (r.gates.length === 0) return '';
  const rows = r.gates.map(
    (g) =>
      `<tr data-gate-row="${esc(g.gate)}"><td class="mono">${esc(g.gate)}</td><td>${esc(g.question)}</td><td>${g.answer ? 'yes' : 'no'}</td><td>${esc(g.by === 'flag' ? '--yes' : g.by)}</td><td class="num">${clock(g.at, true)}</td><td class="num">${esc(formatDuration(g.at - g.start))}</td></tr>`,
  );
  return `<section data-section="gates"><h2>Gates</h2><table><tr><th>gate</th><th>question</th><th>answer</th><th>by</th><th>at</th><th>waited</th></tr>${rows.join('')}</table></section>`;
}

function stepsTable(r: RunReport): string {
  const rows = r.bars.map(stepRow);
  return `<section data-section="steps"><h2>Steps</h2><table><tr><th>instance</th><th>target</th><th>outcome</th><th>attempts</th><th>started</th><th>time</th><th>outputs</th><th>error / reason</th></tr>${rows.join('')}</table></section>`;
}

function stepRow(b: Bar): string {
  const name = b.name === undefined ? '' : `<br><span>${esc(b.name)}</span>`;
  const action = b.action === undefined ? '' : `<br><span class="mono" style="color:#868e96">${esc(b.action)}</span>`;
  const started = b.segments.find((s) => s.kind === 'attempt');
  const outcome = `<span class="badge" style="background:${OUTCOME_COLOURS[b.outcome]}">${b.outcome}</span>${b.resumed ? ' resumed' : ''}`;
  const problem = [
    b.error === undefined ? '' : `<pre>${esc(b.error)}</pre>`,
    b.code === undefined ? '' : `<div class="mono">${esc(b.code)}</div>`,
    b.details.length === 0 ? '' : `<pre>${esc(b.details.join('\n'))}</pre>`,
    b.skipReason === undefined ? '' : `skipped: ${esc(b.skipReason)}${b.skipDetail === undefined ? '' : ` <span class="mono">${esc(b.skipDetail)}</span>`}`,
  ].join('');
  return (
    `<tr data-step-row="${esc(b.instance)}" data-step="${esc(b.step)}" data-node="${esc(b.target)}" data-outcome="${b.outcome}">` +
    `<td class="mono">${esc(b.instance)}${name}${action}</td><td class="mono">${esc(b.target)}</td><td>${outcome}</td>` +
    `<td class="num">${b.attempts}</td><td class="num">${started === undefined ? '-' : clock(started.start, true)}</td>` +
    `<td class="num">${started === undefined ? '-' : esc(formatDuration(b.busyMs))}</td><td>${outputs(b)}</td><td>${problem}</td></tr>`
  );
}

function outputs(b: Bar): string {
  if (b.outputs.length === 0) return '';
  const items = b.outputs.map((o) => {
    if (o.secret) return `<div><span class="mono">${esc(o.name)}</span>: <span class="secret">${MASK} (secret)</span></div>`;
    const text = showValue(o.value);
    const body = text.length > 120 || text.includes('\n') ? `<details><summary>${esc(text.slice(0, 60).split('\n')[0] ?? '')}…</summary><pre>${esc(text)}</pre></details>` : `<span class="mono">${esc(text)}</span>`;
    return `<div><span class="mono">${esc(o.name)}</span>: ${body}</div>`;
  });
  return items.join('');
}
