/**
 * Pure pieces the node actions stand on: finding a node by inventory name among `GET /nodes` entries
 * (stale duplicates refused, not guessed), and the whole spec an update sends.
 */
import { describe, expect, it } from 'vitest';
import type { SwarmNode } from '../../../engine/actions/docker/swarm-types.js';
import { leaderOf, lookupNode } from '../../../engine/actions/docker/cluster.js';
import { desiredSpec } from '../../../engine/actions/docker/node/spec.js';
import type { Inventory } from '../../../engine/inventory/types.js';

function entry(id: string, hostname: string, addr: string, state = 'ready', leader = false): SwarmNode {
  return {
    ID: id,
    Version: { Index: 1 },
    Spec: { Role: 'worker', Availability: 'active', Labels: { keep: 'me' } },
    Description: { Hostname: hostname },
    Status: { State: state, Addr: addr },
    ...(leader ? { ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: `${addr}:2377` } } : {}),
  };
}

const inventory = {
  cluster: 'c',
  nodes: [
    { name: 'web1', address: '10.0.0.5', role: 'worker' },
    { name: 'mgr1', address: '10.0.0.1', role: 'manager' },
  ],
} as unknown as Inventory;

describe('lookupNode', () => {
  it('finds by hostname, then by the inventory address, then by ID', () => {
    const nodes = [entry('a', 'web1.example', '10.0.0.5'), entry('b', 'other', '10.0.0.9')];
    expect(lookupNode(nodes, 'web1', inventory).ID).toBe('a');
    expect(lookupNode(nodes, 'other', inventory).ID).toBe('b');
    expect(lookupNode(nodes, 'b', inventory).ID).toBe('b');
  });

  it('refuses a name with a stale Down entry, naming both and how to remove the stale one', () => {
    const nodes = [entry('old', 'web1', '10.0.0.5', 'down'), entry('new', 'web1', '10.0.0.5')];
    expect(() => lookupNode(nodes, 'web1', inventory)).toThrow(
      'web1 names 2 swarm nodes: old (down, worker), new (ready, worker); remove the stale Down entry first (docker.node.rm with id: old)',
    );
  });

  it('says which nodes exist when the name is unknown', () => {
    expect(() => lookupNode([entry('a', 'web1', '10.0.0.5')], 'web9', inventory)).toThrow('web9 is not a node of the swarm (nodes: web1)');
  });

  it('maps the leader back to the inventory by address when hostnames differ', () => {
    expect(leaderOf(inventory, [entry('a', 'web1', '10.0.0.5'), entry('m', 'mgr1.example', '10.0.0.1', 'ready', true)]).name).toBe('mgr1');
  });
});

describe('desiredSpec', () => {
  const spec = { Name: 'n', Role: 'worker', Availability: 'active', Labels: { keep: 'me', tier: '1' } } as const;

  it('merges labels by default and keeps every other field', () => {
    expect(desiredSpec(spec, { labels: { tier: 2, function: 'production' }, availability: 'drain' })).toEqual({
      Name: 'n',
      Role: 'worker',
      Availability: 'drain',
      Labels: { keep: 'me', tier: '2', function: 'production' },
    });
  });

  it('replaces labels when asked, and removes the listed keys', () => {
    expect(desiredSpec(spec, { labels: { a: 'b' }, labels_mode: 'replace' }).Labels).toEqual({ a: 'b' });
    expect(desiredSpec(spec, { remove_labels: ['tier'] }).Labels).toEqual({ keep: 'me' });
  });

  it('sends the labels it found even when only the role changes, so none are wiped', () => {
    expect(desiredSpec(spec, { role: 'manager' })).toEqual({ ...spec, Role: 'manager' });
  });
});
