/**
 * Reading service specs back from a file written by `docker.service.export` (or a hand-written
 * spec, or a list of them).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunbookError } from '../../../errors.js';
import type { ServiceSpec } from '../swarm-types.js';
import { STACK_LABEL } from '../swarm-types.js';

function specOf(entry: unknown, file: string): ServiceSpec {
  const candidate = entry !== null && typeof entry === 'object' && 'Spec' in entry ? (entry as { Spec: unknown }).Spec : entry;
  if (candidate === null || typeof candidate !== 'object' || typeof (candidate as { Name?: unknown }).Name !== 'string') {
    throw new RunbookError('INVALID', `${file}: every service needs a spec with a Name`);
  }
  return candidate as ServiceSpec;
}

/** The specs in `file` (relative to `baseDir`): an export, a list of specs, or one spec. */
export async function readServiceSpecs(baseDir: string, file: string): Promise<ServiceSpec[]> {
  const path = resolve(baseDir, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new RunbookError('INVALID', `cannot read service specs from ${path}: ${(e as Error).message}`);
  }
  const entries =
    parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { services?: unknown }).services)
      ? (parsed as { services: unknown[] }).services
      : Array.isArray(parsed)
        ? parsed
        : [parsed];
  return entries.map((e) => specOf(e, path));
}

export interface SpecSelection {
  readonly names?: readonly string[];
  readonly excludeStacks?: boolean;
}

export function selectSpecs(specs: readonly ServiceSpec[], selection: SpecSelection, file: string): ServiceSpec[] {
  const missing = (selection.names ?? []).filter((n) => !specs.some((s) => s.Name === n));
  if (missing.length > 0) {
    throw new RunbookError('INVALID', `${file} has no service named ${missing.join(', ')}; it has ${specs.map((s) => s.Name).join(', ') || 'none'}`);
  }
  return specs.filter(
    (s) =>
      (selection.names === undefined || selection.names.includes(s.Name)) &&
      !(selection.excludeStacks === true && s.Labels?.[STACK_LABEL] !== undefined),
  );
}
