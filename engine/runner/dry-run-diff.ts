/**
 * `plan --diff`: for each file a step would write, a unified diff of the file as it is on the node against
 * what the run would leave there, with mode and owner changes. Files are read by the action's read-only
 * `planFiles`; secrets are masked in every line, on both sides, before anything is shown.
 */
import type { ActionContext, ActionDefinition, FileChange } from '../actions/define.js';
import { describeError } from '../errors.js';
import { onFirstUse } from '../on-first-use.js';
import { MASK, type SecretMasker } from '../secrets.js';

const diffLibrary = onFirstUse<typeof import('diff')>('diff');

/** Diff lines shown per file; the rest are counted. */
export const DIFF_LINE_LIMIT = 400;
/** Beyond this many changed lines the diff is not computed (it would cost more than it tells). */
const EDIT_LIMIT = 20_000;

export interface FileDiff {
  readonly path: string;
  /** `unchanged`: the run would leave the file alone; `created`: there is no file now. */
  readonly change: 'unchanged' | 'created' | 'changed';
  /** `mode 0644 → 0600`, `owner app → root`, or for a new file `new file mode 0644, owner root`. */
  readonly attributes: readonly string[];
  /** The unified diff: `---`/`+++` headers (`/dev/null` for a new file), hunks; empty when the content stays. */
  readonly lines: readonly string[];
  /** Diff lines left out past the limit, or why no diff was computed. */
  readonly omitted?: string;
}

/** The diff of one file change, before masking. Pure. */
export function renderFileDiff(change: FileChange, limit = DIFF_LINE_LIMIT): FileDiff {
  const { path, before, after } = change;
  const attributes =
    before === undefined
      ? [`new file mode ${after.mode}, owner ${after.owner}`]
      : [
          ...(before.mode === after.mode ? [] : [`mode ${before.mode} → ${after.mode}`]),
          ...(before.owner === after.owner ? [] : [`owner ${before.owner} → ${after.owner}`]),
        ];
  const same = before !== undefined && before.content === after.content;
  const kind = before === undefined ? 'created' : same && attributes.length === 0 ? 'unchanged' : 'changed';
  if (same) return { path, change: kind, attributes, lines: [] };
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const { FILE_HEADERS_ONLY, formatPatch, structuredPatch } = diffLibrary();
  const patch = structuredPatch(before === undefined ? '/dev/null' : `a${rooted}`, `b${rooted}`, before?.content ?? '', after.content, undefined, undefined, {
    context: 3,
    maxEditLength: EDIT_LIMIT,
  });
  if (patch === undefined) return { path, change: kind, attributes, lines: [], omitted: `more than ${EDIT_LIMIT} lines change: diff not computed` };
  const lines = formatPatch(patch, FILE_HEADERS_ONLY).replace(/\n$/, '').split('\n');
  if (lines.length <= limit) return { path, change: kind, attributes, lines };
  return { path, change: kind, attributes, lines: lines.slice(0, limit), omitted: `${lines.length - limit} more diff lines not shown` };
}

/** What `--diff` adds to a planned instance: its files' diffs, or why there are none. */
export type PlannedDiff = { readonly diff: readonly FileDiff[] } | { readonly diffNote: string } | Record<string, never>;

/** Reads the instance's files now (read-only) and diffs them, masked; nothing for an action that writes no file. */
export async function planDiff(
  action: ActionDefinition<Record<string, unknown>>,
  args: Record<string, unknown>,
  ctx: ActionContext,
  masker: SecretMasker,
): Promise<PlannedDiff> {
  if (action.planFiles === undefined) return {};
  if (JSON.stringify(args).includes('<output of ') || JSON.stringify(args).includes('<each element>')) return { diffNote: 'diff decided at run time' };
  try {
    const changes = await action.planFiles(args, ctx);
    return { diff: changes.map((c) => maskFileDiff(renderFileDiff(c), masker)) };
  } catch (e) {
    return { diffNote: masker.mask(`diff not shown: ${describeError(e)}`) };
  }
}

/**
 * Every secret masked, on both sides. A secret written where the file holds another value (a rotated token)
 * would still show the old value on its `-` line, which no masker knows: such a line keeps only what it has
 * in common with its masked `+` line, before and after the change.
 */
export function maskFileDiff(diff: FileDiff, masker: SecretMasker): FileDiff {
  if (masker.empty) return diff;
  const lines = [...diff.lines];
  // After the `---`/`+++` headers: runs of `-` and `+` lines (and `\ No newline` marks), paired in order.
  for (let i = 2; i < lines.length; ) {
    const removed: number[] = [];
    const added: number[] = [];
    for (; i < lines.length && /^[-+\\]/.test(lines[i] ?? ''); i++) {
      if (lines[i]?.startsWith('-') === true) removed.push(i);
      else if (lines[i]?.startsWith('+') === true) added.push(i);
    }
    removed.forEach((r, k) => {
      const a = added[k];
      if (a !== undefined) lines[r] = `-${hideReplaced((lines[r] ?? '').slice(1), (lines[a] ?? '').slice(1), masker)}`;
    });
    if (removed.length === 0 && added.length === 0) i++;
  }
  return masker.maskDeep({ ...diff, lines });
}

const masks = (text: string): number => text.split(MASK).length - 1;

function hideReplaced(removed: string, added: string, masker: SecretMasker): string {
  const shown = masker.mask(added);
  const secretsAdded = masks(shown) - masks(added);
  if (secretsAdded === 0 || masks(masker.mask(removed)) - masks(removed) >= secretsAdded) return removed;
  let prefix = 0;
  while (prefix < removed.length && prefix < shown.length && removed[prefix] === shown[prefix]) prefix++;
  let suffix = 0;
  while (suffix < removed.length - prefix && suffix < shown.length - prefix && removed[removed.length - 1 - suffix] === shown[shown.length - 1 - suffix]) suffix++;
  return `${removed.slice(0, prefix)}${MASK}${removed.slice(removed.length - suffix)}`;
}

