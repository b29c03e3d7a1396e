/**
 * Escaping for the report: everything from a journal (step ids, node names, outputs, error messages) is
 * text chosen by whoever wrote the runbook or ran the command, and goes through here before it reaches
 * HTML or SVG, in element content and in quoted attributes alike.
 */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A value as the report shows it: strings as they are (the empty one as `""`), anything else as JSON. */
export function showValue(value: unknown): string {
  if (value === '') return '""';
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}
