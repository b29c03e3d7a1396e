/**
 * reboot-from-shutdown's waits that may never end say what that means: their `message` expressions evaluate,
 * with the last probe's result and with none (null), to the advice the docs give.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../engine/expr/interpolate.js';
import { loadRunbook } from '../../../engine/index.js';
import { builtinRunbooksDir } from '../../../engine/package-root.js';

const loaded = loadRunbook(join(builtinRunbooksDir(), 'reboot-from-shutdown.yaml'));

function messageOf(step: string): string {
  const found = loaded.value?.steps.find((s) => s.id === step);
  const message = (found?.with as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string') throw new Error(`${step} has no message`);
  return message;
}

const context = (result: unknown) => ({
  inputs: { timeout: '10m', first: '', registry_stack: 'registry', restore_services: true },
  steps: { first: { outputs: { name: 'node1' } } },
  inventory: { nodes: [{ name: 'node1' }, { name: 'node2' }, { name: 'node3' }] },
  result,
});

describe('reboot-from-shutdown timeout messages', () => {
  it('first-leads: no answer means no leader; the way out is the other managers, else force-new-cluster', () => {
    const none = String(interpolate(messageOf('first-leads'), context(null)));
    expect(none).toContain('node1 did not lead its swarm within 3m (its manager API never answered');
    expect(none).toContain('runbook run force-new-cluster --input survivor=node1');
    const other = String(interpolate(messageOf('first-leads'), context({ leader: '' })));
    expect(other).toContain('the leader it sees: none');
  });

  it('ready: no answer names force-new-cluster; an answer names the nodes not back', () => {
    const none = String(interpolate(messageOf('ready'), context(null)));
    expect(none).toContain('node1 never answered as a manager');
    expect(none).toContain('runbook run force-new-cluster --input survivor=node1');
    const some = String(interpolate(messageOf('ready'), context({ ready: ['node1'] })));
    expect(some).toMatch(/^not Ready after 10m: node2, node3 \(powered on, but not back/);
  });
});
