/**
 * A host's swarm role: from membership of the groups `managers` or `workers` (directly or through child
 * groups), or from its `swarm_role` variable (manager or worker). Both may be given if they agree; a host
 * in both groups, a role that contradicts its group, or a host with no role at all is an error.
 */
import { diagnostic } from '../../dsl/diagnostics.js';
import type { Diagnostic } from '../../dsl/diagnostics.js';
import type { NodeRole } from '../types.js';
import { formatName } from './model.js';
import type { AnsibleFormat, AnsibleHost, AnsibleVar } from './model.js';

/** The groups that give a role, and the role each gives. */
export const ROLE_GROUPS: Readonly<Record<string, NodeRole>> = { managers: 'manager', workers: 'worker' };

export function swarmRole(
  format: AnsibleFormat,
  host: AnsibleHost,
  vars: ReadonlyMap<string, AnsibleVar>,
  inGroup: (group: string, host: string) => boolean,
): { role?: NodeRole; diagnostic?: Diagnostic } {
  const prefix = `${formatName(format)}: host "${host.name}"`;
  const byGroup = Object.entries(ROLE_GROUPS).filter(([group]) => inGroup(group, host.name));
  const [first, second] = byGroup;
  if (second !== undefined) {
    return {
      diagnostic: diagnostic('RB_INV_ANSIBLE_ROLE', host.source, `${prefix} is in both managers and workers`, 'keep it in one of the two groups'),
    };
  }
  const fromGroup = first?.[1];
  const written = vars.get('swarm_role');
  if (written === undefined) {
    if (fromGroup !== undefined) return { role: fromGroup };
    return {
      diagnostic: diagnostic(
        'RB_INV_ANSIBLE_ROLE',
        host.source,
        `${prefix} has no swarm role`,
        format === 'INI'
          ? 'list it under [managers] or [workers] (or a child group of them), or give it swarm_role=manager or swarm_role=worker'
          : 'list it under a `managers:` or `workers:` group (or a child group of them), or give it `swarm_role: manager` or `swarm_role: worker`',
      ),
    };
  }
  const value = String(written.value);
  if (value !== 'manager' && value !== 'worker') {
    return {
      diagnostic: diagnostic('RB_INV_UNKNOWN_ROLE', written.source, `${prefix}: swarm_role is "${value}"`, 'write swarm_role=manager or swarm_role=worker'),
    };
  }
  if (fromGroup !== undefined && fromGroup !== value) {
    return {
      diagnostic: diagnostic(
        'RB_INV_ANSIBLE_ROLE',
        written.source,
        `${prefix} has swarm_role=${value} but is in the group ${first?.[0] ?? ''}`,
        `remove swarm_role, or move the host out of ${first?.[0] ?? ''}`,
      ),
    };
  }
  return { role: value };
}
