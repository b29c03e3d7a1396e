/**
 * Does a running service already have the spec a runbook wants? The daemon fills in defaults a
 * written spec leaves out (endpoint mode, runtime, restart policy…), so only what the wanted spec
 * says is compared: objects key by key, lists element by element, images with or without a pinned
 * digest. Pure.
 */
import { sameImage } from './services.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Paths where `current` differs from what `wanted` says, e.g. `TaskTemplate.ContainerSpec.Image`. */
export function specDifferences(wanted: unknown, current: unknown, path = ''): string[] {
  if (wanted === undefined || (wanted === null && current === undefined)) return [];
  if (Array.isArray(wanted)) {
    if (!Array.isArray(current) || current.length !== wanted.length) return [path || '(root)'];
    return wanted.flatMap((w, i) => specDifferences(w, current[i], `${path}[${i}]`));
  }
  if (isObject(wanted)) {
    if (!isObject(current)) return Object.keys(wanted).length === 0 && current === undefined ? [] : [path || '(root)'];
    return Object.entries(wanted).flatMap(([k, w]) => specDifferences(w, current[k], path === '' ? k : `${path}.${k}`));
  }
  if (path.endsWith('ContainerSpec.Image') && typeof wanted === 'string' && typeof current === 'string') {
    return sameImage(current, wanted) ? [] : [path];
  }
  return wanted === current ? [] : [path || '(root)'];
}

/**
 * `patch` applied to `base`: objects merged key by key, lists and scalars replaced, `null` removes
 * the key. Used for `docker.service.update`'s `spec`, so a runbook names only what changes.
 */
export function mergeSpec(base: unknown, patch: unknown): unknown {
  if (!isObject(patch) || !isObject(base)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeSpec(out[k], v);
  }
  return out;
}
