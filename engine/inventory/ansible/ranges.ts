/**
 * Ansible host ranges: `node[1:3]` is node1, node2, node3; `node[01:10:2]` keeps the width of `01` and steps
 * by 2; `db-[a:c]` counts letters. A pattern may hold several ranges. Pure; problems come back as text.
 */

/** Patterns expanding to more hosts than this are refused: a typo like `[1:100000]` is not an inventory. */
export const MAX_RANGE_HOSTS = 10_000;

export type Expanded = { readonly hosts: readonly string[] } | { readonly problem: string; readonly hint: string };

const RANGE = /\[([^\]]*)\]/;

/** True when `pattern` holds a `[a:b]` range. */
export function hasRange(pattern: string): boolean {
  return RANGE.test(pattern);
}

/** The host names `pattern` stands for; itself when it holds no range. */
export function expandHostPattern(pattern: string): Expanded {
  const m = RANGE.exec(pattern);
  if (m === null) return { hosts: [pattern] };
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + m[0].length);
  const items = rangeItems(m[1] ?? '');
  if ('problem' in items) return items;
  const rest = expandHostPattern(tail);
  if ('problem' in rest) return rest;
  if (items.values.length * rest.hosts.length > MAX_RANGE_HOSTS) {
    return { problem: `"${pattern}" stands for more than ${MAX_RANGE_HOSTS} hosts`, hint: 'check the bounds of the range' };
  }
  return { hosts: items.values.flatMap((v) => rest.hosts.map((r) => `${head}${v}${r}`)) };
}

function rangeItems(body: string): { values: string[] } | { problem: string; hint: string } {
  const parts = body.split(':');
  const hint = 'write a range as [START:END] or [START:END:STEP], e.g. node[1:3] or node[01:10:2], or list the hosts one per line';
  if (parts.length < 2 || parts.length > 3) return { problem: `"[${body}]" is not a host range`, hint };
  const [from = '', to = '', stepText = '1'] = parts.map((p) => p.trim());
  const step = /^\d+$/.test(stepText) ? Number(stepText) : NaN;
  if (!(step >= 1)) return { problem: `the step "${stepText}" of "[${body}]" is not a whole number ≥ 1`, hint };
  const numeric = /^\d*$/.test(from) && /^\d+$/.test(to);
  if (numeric) {
    const start = Number(from === '' ? '0' : from);
    const end = Number(to);
    if (start > end) return { problem: `"[${body}]" counts down (${start} > ${end})`, hint: 'write the smaller bound first' };
    if ((end - start) / step >= MAX_RANGE_HOSTS) {
      return { problem: `"[${body}]" stands for more than ${MAX_RANGE_HOSTS} hosts`, hint: 'check the bounds of the range' };
    }
    const width = from.startsWith('0') && from.length > 1 ? from.length : 0;
    const values: string[] = [];
    for (let i = start; i <= end; i += step) values.push(String(i).padStart(width, '0'));
    return { values };
  }
  if (/^[a-zA-Z]$/.test(from) && /^[a-zA-Z]$/.test(to)) {
    const start = from.charCodeAt(0);
    const end = to.charCodeAt(0);
    if (start > end) return { problem: `"[${body}]" counts down (${from} > ${to})`, hint: 'write the earlier letter first' };
    const values: string[] = [];
    for (let c = start; c <= end; c += step) values.push(String.fromCharCode(c));
    return { values };
  }
  return { problem: `"[${body}]" mixes numbers and letters, or its bounds are not single letters`, hint };
}
