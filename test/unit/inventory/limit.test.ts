import { describe, expect, test } from 'vitest';
import { outsideLimit, parseLimit } from '../../../engine/inventory/limit.js';
import { loadInventory } from '../../../engine/inventory/load.js';
import type { Inventory } from '../../../engine/inventory/types.js';

const TEXT = `cluster: lab
nodes:
  - { name: node1, address: 10.9.0.1, role: manager }
  - { name: node2, address: 10.9.0.2, role: manager }
  - { name: node3, address: 10.9.0.3, role: manager }
  - { name: web1, address: 10.9.0.4, role: worker }
  - { name: web2, address: 10.9.0.5, role: worker }
groups:
  registry: [node1]
  front: [web1, web2, node3]
`;

function inventory(): Inventory {
  const loaded = loadInventory('inventory/limit.yaml', TEXT);
  expect(loaded.diagnostics).toEqual([]);
  return loaded.value as Inventory;
}

const nodes = (pattern: string): string[] => [...parseLimit(pattern, inventory()).nodes];

describe('parseLimit', () => {
  test('names, groups and unions with ":" or ","', () => {
    expect(nodes('node2')).toEqual(['node2']);
    expect(nodes('workers')).toEqual(['web1', 'web2']);
    expect(nodes('registry:web2')).toEqual(['node1', 'web2']);
    expect(nodes('web2,node1')).toEqual(['node1', 'web2']);
  });

  test('globs and regular expressions match node and group names', () => {
    expect(nodes('web*')).toEqual(['web1', 'web2']);
    expect(nodes('node?')).toEqual(['node1', 'node2', 'node3']);
    expect(nodes('~^node[13]$')).toEqual(['node1', 'node3']);
    expect(nodes('fr*')).toEqual(['node3', 'web1', 'web2']);
  });

  test('exclusions and intersections apply after the union, in any order', () => {
    expect(nodes('all:!node2')).toEqual(['node1', 'node3', 'web1', 'web2']);
    expect(nodes('!node2:all')).toEqual(['node1', 'node3', 'web1', 'web2']);
    expect(nodes('!managers')).toEqual(['web1', 'web2']);
    expect(nodes('front:&managers')).toEqual(['node3']);
    expect(nodes('all:!web*:!registry')).toEqual(['node2', 'node3']);
  });

  test('a name the inventory does not have is refused, naming what it has', () => {
    expect(() => parseLimit('nodex', inventory())).toThrow(/"nodex" is neither a node nor a group of cluster lab; known: node1, node2/);
    expect(() => parseLimit('all:!nodex', inventory())).toThrow(/"nodex" is neither/);
  });

  test('a limit that leaves no node is refused', () => {
    expect(() => parseLimit('managers:&workers', inventory())).toThrow(/matches no node of cluster lab/);
    expect(() => parseLimit('db*', inventory())).toThrow(/matches no node/);
    expect(() => parseLimit('all:!all', inventory())).toThrow(/matches no node/);
  });

  test('malformed patterns say what to write', () => {
    expect(() => parseLimit('node1::node2', inventory())).toThrow(/empty term; write names, groups or globs separated by ":"/);
    expect(() => parseLimit('~[', inventory())).toThrow(/is not a regular expression/);
    expect(() => parseLimit('node1', undefined)).toThrow(/pass -i FILE/);
  });
});

describe('outsideLimit', () => {
  test('names the first inventory node the limit leaves out; other names and no limit pass', () => {
    const inv = inventory();
    const limit = parseLimit('workers', inv);
    expect(outsideLimit(limit, inv, ['web1', 'node2'])).toBe('node2');
    expect(outsideLimit(limit, inv, ['web1', undefined])).toBeUndefined();
    expect(outsideLimit(limit, inv, ['not-a-node'])).toBeUndefined();
    expect(outsideLimit(undefined, inv, ['node2'])).toBeUndefined();
  });
});
