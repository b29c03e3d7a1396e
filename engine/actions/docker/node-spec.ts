/**
 * The node spec an update wants, from the spec there now: labels merged or replaced, availability and
 * role set. Always the whole spec, since swarm replaces it wholesale.
 */
import type { NodeSpec } from './api-types.js';

export interface NodeChange {
  labels?: Record<string, string | number | boolean>;
  labels_mode?: 'merge' | 'replace';
  remove_labels?: string[];
  availability?: 'active' | 'pause' | 'drain';
  role?: 'manager' | 'worker';
}

export function desiredSpec(spec: NodeSpec, change: NodeChange): NodeSpec {
  const labels: Record<string, string> = change.labels_mode === 'replace' && change.labels !== undefined ? {} : { ...(spec.Labels ?? {}) };
  for (const [k, v] of Object.entries(change.labels ?? {})) labels[k] = String(v);
  for (const k of change.remove_labels ?? []) delete labels[k];
  return {
    ...spec,
    Labels: labels,
    ...(change.availability === undefined ? {} : { Availability: change.availability }),
    ...(change.role === undefined ? {} : { Role: change.role }),
  };
}

/** The fields of a spec a plan shows. */
export function shownFields(change: NodeChange): Record<string, unknown> {
  return {
    ...(change.labels === undefined && change.remove_labels === undefined
      ? {}
      : { Labels: change.labels_mode === 'replace' ? { '=': change.labels ?? {} } : { '+': change.labels ?? {}, '-': change.remove_labels ?? [] } }),
    ...(change.availability === undefined ? {} : { Availability: change.availability }),
    ...(change.role === undefined ? {} : { Role: change.role }),
  };
}
