import { describe, expect, it } from 'vitest';
import { getAction } from '../../../engine/actions/index.js';
import type { ActionDefinition } from '../../../engine/actions/define.js';
import { loadInventory } from '../../../engine/inventory/load.js';
import type { InventoryNode } from '../../../engine/inventory/types.js';
import { channelsOf } from '../../../engine/runner/node-identity.js';

const inventory = loadInventory(
  'inv.yaml',
  [
    'cluster: c',
    'defaults: { power: { off: ssh-poweroff, on: manual } }',
    'nodes:',
    '  - { name: n1, address: 10.0.0.1, role: manager }',
    '  - { name: n2, address: 10.0.0.2, role: worker, power: { off: "bmc off {node}" } }',
  ].join('\n'),
).value;

function node(name: string): InventoryNode {
  const found = inventory?.nodes.find((n) => n.name === name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

function action(name: string): ActionDefinition<Record<string, unknown>> {
  const found = getAction(name);
  if (found === undefined) throw new Error(`no action ${name}`);
  return found;
}

describe('channelsOf: the connections a changing instance goes through', () => {
  it('Docker actions: the target’s Engine API; SSH actions: its SSH host', () => {
    expect(channelsOf(action('docker.node.update'), { node: 'n2', availability: 'drain' }, node('n1'))).toEqual(['docker']);
    expect(channelsOf(action('ssh.run'), { command: 'reboot' }, node('n1'))).toEqual(['ssh']);
    expect(channelsOf(action('ssh.file'), { path: '/etc/x', content: '' }, node('n1'))).toEqual(['ssh']);
  });

  it('a daemon restart goes over SSH unless a local command does it; power off only over SSH with ssh-poweroff', () => {
    expect(channelsOf(action('docker.daemon.restart'), {}, node('n1'))).toEqual(['ssh', 'docker']);
    expect(channelsOf(action('docker.daemon.restart'), { local_command: 'bmc {node}' }, node('n1'))).toEqual(['docker']);
    expect(channelsOf(action('power.off'), {}, node('n1'))).toEqual(['ssh']);
    expect(channelsOf(action('power.off'), {}, node('n2'))).toEqual([]);
    expect(channelsOf(action('power.on'), {}, node('n1'))).toEqual([]);
  });

  it('reads and local actions are not checked', () => {
    expect(channelsOf(action('docker.info'), {}, node('n1'))).toEqual([]);
    expect(channelsOf(action('docker.node.ls'), {}, node('n1'))).toEqual([]);
    expect(channelsOf(action('ssh.run'), { command: 'uptime', read_only: true }, node('n1'))).toEqual([]);
    expect(channelsOf(action('shell'), { command: 'true' }, node('n1'))).toEqual([]);
  });
});
