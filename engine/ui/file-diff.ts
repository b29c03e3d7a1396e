/**
 * A planned file diff as the operator reads it: attribute changes, then the unified diff, added lines
 * green and removed ones red on a terminal, plain otherwise.
 */
import type { FileDiff } from '../runner/dry-run-diff.js';

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/** Colour only for a terminal that wants it (no-color.org; `TERM=dumb`). */
export function colourWanted(out: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return out.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '') && env['TERM'] !== 'dumb';
}

function paint(line: string): string {
  const colour = line.startsWith('+++ ') || line.startsWith('--- ') ? BOLD : line.startsWith('+') ? GREEN : line.startsWith('-') ? RED : line.startsWith('@@') ? CYAN : '';
  return colour === '' ? line : `${colour}${line}${RESET}`;
}

/** The lines for one file, each prefixed with `indent`. */
export function formatFileDiff(diff: FileDiff, indent: string, colour: boolean): string[] {
  if (diff.change === 'unchanged') return [`${indent}${diff.path}: no change`];
  return [
    `${indent}${diff.path}: ${diff.change === 'created' ? 'new file' : 'would change'}`,
    ...diff.attributes.map((a) => `${indent}  ${a}`),
    ...diff.lines.map((l) => `${indent}  ${colour ? paint(l) : l}`),
    ...(diff.omitted === undefined ? [] : [`${indent}  … ${diff.omitted}`]),
  ];
}
