/**
 * Positions found after the fact: a problem met while running (an expression that fails on the run's
 * data) names the line and column where it is written. The file is parsed again on the first such
 * problem, not before: a run that goes well never pays for positions.
 */
import { isAbsolute, relative } from 'node:path';
import type { Diagnostic, SourceRef } from './diagnostics.js';
import { parseYaml, readSource } from './load.js';
import { fileStart, refInString, type DataPath, type YamlSource } from './positions.js';

const sources = new Map<string, YamlSource | undefined>();

function sourceOf(file: string): YamlSource | undefined {
  if (!sources.has(file)) {
    const text = readSource(file).value;
    sources.set(file, text === undefined ? undefined : parseYaml(text.file, text.text).value?.source);
  }
  return sources.get(file);
}

/** Where character `index` of the string at `path` of `file` is written (the value's start when unknown). */
export function positionIn(file: string, path: DataPath, index = 0): SourceRef {
  const src = sourceOf(file);
  return src === undefined ? fileStart(file) : refInString(src, path, index);
}

/** The path relative to the working directory when the file is inside it; as given otherwise. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** A diagnostic on one line, as compilers print it: `file:line:col: error CODE: message; hint`. */
export function describeDiagnostic(d: Diagnostic): string {
  return `${describeSource(d.source)}: ${d.severity} ${d.code}: ${d.message}${d.hint === undefined ? '' : `; ${d.hint}`}`;
}

/** `file:line:col`, the file as `displayPath` shows it. */
export function describeSource(ref: SourceRef): string {
  return `${displayPath(ref.file)}:${ref.line}:${ref.col}`;
}
