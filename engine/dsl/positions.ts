/**
 * From data paths back to the YAML text: every diagnostic names the line and column of the node it is about,
 * found by walking the parsed document (keys, sequence items, aliases) and converting offsets with a
 * `LineCounter`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';
import type { Diagnostic, SourceRef } from './diagnostics.js';

/** One step into the data: a mapping key or a sequence index (numbers may arrive as strings, as in JSON Pointer). */
export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

/** A parsed YAML file with what turns its nodes back into `file:line:col`. */
export interface YamlSource {
  /** Absolute path of the file. */
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** `file:1:1`, for problems that belong to the whole file. */
export function fileStart(file: string): SourceRef {
  return { file, line: 1, col: 1 };
}

/** The position of a 0-based character offset in the file. */
export function refAtOffset(src: YamlSource, offset: number): SourceRef {
  const { line, col } = src.lineCounter.linePos(Math.max(0, Math.min(offset, src.text.length)));
  return { file: src.file, line, col };
}

interface Found {
  /** The deepest node reached; equals the target when the whole path exists. */
  readonly node: Node | undefined;
  /** The pair holding the target, when its last segment is a mapping key. */
  readonly pair: Pair | undefined;
  readonly complete: boolean;
}

function walk(src: YamlSource, path: DataPath): Found {
  let node = resolve(src, src.doc.contents ?? undefined);
  let pair: Pair | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const hit = node.items.find((p) => isPair(p) && keyText(src, p.key) === String(segment));
      if (hit === undefined) return { node, pair: undefined, complete: false };
      const value = resolve(src, hit.value);
      pair = hit;
      if (value === undefined) return { node, pair, complete: false };
      node = value;
    } else if (isSeq(node)) {
      const item = resolve(src, node.items[Number(segment)]);
      if (item === undefined) return { node, pair: undefined, complete: false };
      pair = undefined;
      node = item;
    } else {
      return { node, pair: undefined, complete: false };
    }
  }
  return { node, pair, complete: true };
}

function resolve(src: YamlSource, value: unknown): Node | undefined {
  if (isAlias(value)) return (value.resolve(src.doc) as Node | undefined) ?? value;
  return isMap(value) || isSeq(value) || isScalar(value) ? value : undefined;
}

function keyText(src: YamlSource, key: unknown): string | undefined {
  const node = resolve(src, key);
  return isScalar(node) ? String(node.value) : undefined;
}

function startOf(src: YamlSource, node: Node | undefined): SourceRef {
  return node?.range === undefined || node.range === null
    ? fileStart(src.file)
    : refAtOffset(src, node.range[0]);
}

/** The YAML node at `path`, when it exists. */
export function nodeAt(src: YamlSource, path: DataPath): Node | undefined {
  const found = walk(src, path);
  return found.complete ? found.node : undefined;
}

/** Where the value at `path` starts; the nearest existing parent when the path does not exist. */
export function refAt(src: YamlSource, path: DataPath): SourceRef {
  return startOf(src, walk(src, path).node);
}

/**
 * Where the key of the last segment of `path` is written (for "unknown key"); the value's or the nearest
 * parent's position otherwise.
 */
export function refAtKey(src: YamlSource, path: DataPath): SourceRef {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = walk(src, parentPath);
  if (parent.complete && isMap(parent.node) && last !== undefined) {
    const hit = parent.node.items.find((p) => isPair(p) && keyText(src, p.key) === String(last));
    const key = resolve(src, hit?.key);
    if (key !== undefined) return startOf(src, key);
  }
  return refAt(src, path);
}

/**
 * Where character `index` of the string at `path` is written. Exact when the scalar is plain or quoted on one
 * line without escapes (so the text between the quotes is the value); the scalar's start otherwise.
 */
export function refInString(src: YamlSource, path: DataPath, index: number): SourceRef {
  const node = nodeAt(src, path);
  if (!isScalar(node) || typeof node.value !== 'string' || node.range === undefined || node.range === null) {
    return refAt(src, path);
  }
  const [start, end] = node.range;
  const written = src.text.slice(start, end);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const inner = quoted ? written.slice(1, -1) : written;
  if ((node.type === 'PLAIN' || quoted) && !inner.includes('\n') && inner === node.value) {
    return refAtOffset(src, start + (quoted ? 1 : 0) + Math.max(0, Math.min(index, inner.length)));
  }
  // Folded, literal or multi-line scalars: find the text at `index` where it is written, if it is there once.
  const needle = node.value.slice(index).split(/\s/)[0] ?? '';
  const at = needle.length >= 3 ? written.indexOf(needle) : -1;
  if (at !== -1 && written.indexOf(needle, at + 1) === -1) return refAtOffset(src, start + at);
  return refAtOffset(src, start);
}

/** Diagnostics in file order, so the first problem in the file is printed first. */
export function byPosition(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.source.line - b.source.line || a.source.col - b.source.col);
}

/**
 * A position computed on first read. Valid files seldom need positions, and computing them means
 * building the whole YAML document: so they are only computed when a message needs one.
 */
export function lazyRef(file: string, find: () => SourceRef): SourceRef {
  let found: SourceRef | undefined;
  const get = (): SourceRef => (found ??= find());
  return {
    file,
    get line() {
      return get().line;
    },
    get col() {
      return get().col;
    },
  };
}
