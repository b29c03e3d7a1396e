/**
 * The spec `docker.service.update` sends: the service's whole current spec with the runbook's changes
 * applied (omitting a field would reset it). Pure.
 */
import { mergeSpec } from './spec-compare.js';
import type { ServiceSpec } from '../swarm-types.js';

/** What a runbook may change on a service. */
export interface ServiceChanges {
  readonly image?: string;
  readonly replicas?: number;
  /** `KEY: value` sets, `KEY: null` removes. */
  readonly env?: Readonly<Record<string, string | null>>;
  readonly labels?: Readonly<Record<string, string | null>>;
  /** Any other part of the spec, merged key by key (`null` removes a key). */
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly force?: boolean;
}

function mergeEnv(current: readonly string[] | undefined, changes: Readonly<Record<string, string | null>>): string[] {
  const keyOf = (entry: string): string => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry);
  const kept = (current ?? []).filter((e) => !Object.hasOwn(changes, keyOf(e)));
  const added = Object.entries(changes).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`]));
  return [...kept, ...added];
}

function mergeLabels(current: Readonly<Record<string, string>> | undefined, changes: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function editedSpec(current: ServiceSpec, changes: ServiceChanges): ServiceSpec {
  let spec = (changes.spec === undefined ? current : mergeSpec(current, changes.spec)) as ServiceSpec;
  const template = spec.TaskTemplate ?? {};
  const container = template.ContainerSpec ?? {};
  const nextContainer = {
    ...container,
    ...(changes.image === undefined ? {} : { Image: changes.image }),
    ...(changes.env === undefined ? {} : { Env: mergeEnv(container.Env, changes.env) }),
  };
  spec = {
    ...spec,
    TaskTemplate: {
      ...template,
      ContainerSpec: nextContainer,
      ...(changes.force === true ? { ForceUpdate: (template.ForceUpdate ?? 0) + 1 } : {}),
    },
    ...(changes.labels === undefined ? {} : { Labels: mergeLabels(spec.Labels, changes.labels) }),
  };
  if (changes.replicas !== undefined) spec = { ...spec, Mode: { Replicated: { Replicas: changes.replicas } } };
  return spec;
}

/** One line per change, for plans and logs. */
export function describeChanges(changes: ServiceChanges): string[] {
  const out: string[] = [];
  if (changes.image !== undefined) out.push(`image → ${changes.image}`);
  if (changes.replicas !== undefined) out.push(`replicas → ${changes.replicas}`);
  for (const [k, v] of Object.entries(changes.env ?? {})) out.push(v === null ? `env -${k}` : `env ${k}=…`);
  for (const [k, v] of Object.entries(changes.labels ?? {})) out.push(v === null ? `label -${k}` : `label ${k}=${v}`);
  if (changes.spec !== undefined) out.push(`spec ${JSON.stringify(changes.spec)}`);
  if (changes.force === true) out.push('force a redeploy (TaskTemplate.ForceUpdate + 1)');
  return out;
}
