/**
 * Ansible host ranges.
 */
import { describe, expect, test } from 'vitest';
import { expandHostPattern, MAX_RANGE_HOSTS } from '../../../../engine/inventory/ansible/ranges.js';

describe('expandHostPattern', () => {
  test.each([
    ['node1', ['node1']],
    ['node[1:3]', ['node1', 'node2', 'node3']],
    ['node[08:11]', ['node08', 'node09', 'node10', 'node11']],
    ['node[1:7:3]', ['node1', 'node4', 'node7']],
    ['db-[a:c].lan', ['db-a.lan', 'db-b.lan', 'db-c.lan']],
    ['r[1:2]n[1:2]', ['r1n1', 'r1n2', 'r2n1', 'r2n2']],
    ['n[:2]', ['n0', 'n1', 'n2']],
  ])('%s', (pattern, hosts) => {
    expect(expandHostPattern(pattern)).toEqual({ hosts });
  });

  test.each(['n[3:1]', 'n[1]', 'n[a:3]', 'n[1:3:0]', 'n[1:2:3:4]', `n[1:${MAX_RANGE_HOSTS + 1}]`, 'n[aa:bb]'])('%s is refused with a hint', (pattern) => {
    const r = expandHostPattern(pattern);
    expect(r).toHaveProperty('problem');
    expect(r).toHaveProperty('hint');
  });
});
