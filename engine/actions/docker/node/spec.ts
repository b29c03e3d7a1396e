/**
 * The node spec an update wants, from the spec there now: labels merged or replaced, availability and
 * role set. Always the whole spec, since swarm replaces it wholesale.
 */
import type { NodeSpec } from '../swarm-types.js';

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

/**
 * The fields of the spec a plan shows: the resulting values when the current spec is known, else
 * what changes (`+` labels set, `-` labels removed, `=` labels replaced).
 */
export function shownFields(change: NodeChange, current?: NodeSpec): Record<string, unknown> {
  const labelsChange = change.labels !== undefined || change.remove_labels !== undefined;
  if (current !== undefined) {
    const next = desiredSpec(current, change);
    return {
      ...(labelsChange ? { Labels: next.Labels } : {}),
      ...(change.availability === undefined ? {} : { Availability: next.Availability }),
      ...(change.role === undefined ? {} : { Role: next.Role }),
    };
  }
  const labels =
    change.labels_mode === 'replace'
      ? { '=': change.labels ?? {} }
      : { ...(change.labels === undefined ? {} : { '+': change.labels }), ...(change.remove_labels === undefined ? {} : { '-': change.remove_labels }) };
  return {
    ...(labelsChange ? { Labels: labels } : {}),
    ...(change.availability === undefined ? {} : { Availability: change.availability }),
    ...(change.role === undefined ? {} : { Role: change.role }),
  };
}
