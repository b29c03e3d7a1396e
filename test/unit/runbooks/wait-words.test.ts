/**
 * What the procedures' waits say: their `message` expressions (what a timeout means) evaluate, with the last
 * probe's result and with none (null), to the advice the docs give; their `progress` expressions (shown while
 * waiting) evaluate, with a docker.node.ls result, to what is still missing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../engine/expr/interpolate.js';
import { loadRunbook } from '../../../engine/index.js';
import { builtinRunbooksDir } from '../../../engine/package-root.js';

function fieldOf(runbook: string, step: string, field: 'message' | 'progress'): string {
  const loaded = loadRunbook(join(builtinRunbooksDir(), `${runbook}.yaml`));
  const found = loaded.value?.steps.find((s) => s.id === step);
  const text = (found?.with as Record<string, unknown> | undefined)?.[field];
  if (typeof text !== 'string') throw new Error(`${runbook} ${step} has no ${field}`);
  return text;
}

const nodes = [{ name: 'node1' }, { name: 'node2' }, { name: 'node3' }];
const context = (result: unknown) => ({
  inputs: { timeout: '10m', first: '', registry_stack: 'registry', restore_services: true, rejoin: true },
  steps: { first: { outputs: { name: 'node1' } }, keep: { outputs: { name: 'node1' } }, survivor: { outputs: { name: 'node1', lost: [] } } },
  inventory: { nodes, managers: nodes.slice(0, 2), workers: nodes.slice(2) },
  result,
});
/** A docker.node.ls result: node1 leads, node2 is a manager not reachable, node3 is down. */
const seen = {
  leader: 'node1',
  managers: ['node1', 'node2'],
  reachable_managers: ['node1'],
  unreachable_managers: ['node2'],
  ready: ['node1', 'node2'],
  down: ['node3'],
};
const say = (runbook: string, step: string, field: 'message' | 'progress', result: unknown) =>
  String(interpolate(fieldOf(runbook, step, field), context(result)));

describe('reboot-from-shutdown timeout messages', () => {
  it('first-leads: no answer means no leader; the way out is the other managers, else force-new-cluster', () => {
    const none = say('reboot-from-shutdown', 'first-leads', 'message', null);
    expect(none).toContain('node1 did not lead its swarm within 3m (its manager API never answered');
    expect(none).toContain('runbook run force-new-cluster --input survivor=node1');
    expect(say('reboot-from-shutdown', 'first-leads', 'message', { leader: '' })).toContain('the leader it sees: none');
  });

  it('ready: no answer names force-new-cluster; an answer names the nodes not back', () => {
    const none = say('reboot-from-shutdown', 'ready', 'message', null);
    expect(none).toContain('node1 never answered as a manager');
    expect(none).toContain('runbook run force-new-cluster --input survivor=node1');
    expect(say('reboot-from-shutdown', 'ready', 'message', { ready: ['node1'] })).toMatch(/^not Ready after 10m: node2, node3 \(powered on, but not back/);
  });
});

describe('progress while waiting', () => {
  it.each([
    ['emergency-shutdown', 'one-manager', 'managers: node1, node2; leader: node1'],
    ['emergency-shutdown', 'others-down', 'still seen Ready: node1, node2; managers: node1, node2'],
    ['reboot-from-shutdown', 'first-leads', 'the leader node1 sees: node1'],
    ['reboot-from-shutdown', 'ready', 'Ready: 2 of 3; not yet: node3'],
    ['reboot-from-shutdown', 'managers', 'reachable managers: node1; unreachable: node2'],
    ['force-new-cluster', 'leads', 'the leader node1 sees: node1'],
    ['force-new-cluster', 'managers', 'managers: node1, node2; unreachable: node2'],
    ['force-new-cluster', 'workers-ready', 'workers not Ready yet: node3'],
    ['force-new-cluster', 'nodes', 'Ready: node1, node2'],
  ])('%s %s', (runbook, step, expected) => {
    expect(say(runbook, step, 'progress', seen)).toBe(expected);
  });

  it('says "none" where a list or the leader is empty', () => {
    const quiet = { ...seen, leader: '', unreachable_managers: [] };
    expect(say('reboot-from-shutdown', 'first-leads', 'progress', quiet)).toBe('the leader node1 sees: none yet');
    expect(say('reboot-from-shutdown', 'managers', 'progress', quiet)).toBe('reachable managers: node1; unreachable: none');
    expect(say('emergency-shutdown', 'one-manager', 'progress', quiet)).toBe('managers: node1, node2; leader: none');
  });
});
