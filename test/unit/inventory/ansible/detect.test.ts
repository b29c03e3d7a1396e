/**
 * The format of an inventory told from its content, whatever the file is called.
 */
import { describe, expect, test } from 'vitest';
import { detectInventoryFormat } from '../../../../engine/inventory/ansible/detect.js';

describe('detectInventoryFormat', () => {
  test.each([
    ['a section first', '# hosts\n\n[managers]\nn1\n', 'ansible-ini'],
    ['a section with a suffix', '; prod\n[all:vars]\nansible_user=root\n', 'ansible-ini'],
    ['a section missing its bracket', '[managers\nn1\n', 'ansible-ini'],
    ['ungrouped hosts with variables', 'n1 ansible_host=10.0.0.1\nn2\n', 'ansible-ini'],
    ['a bare host name', 'n1\n', 'ansible-ini'],
    ['a host with a port', 'n1:2222\n', 'ansible-ini'],
    ['native', 'cluster: lab\nnodes: []\n', 'native'],
    ['native, nodes first', 'nodes:\n  - { name: n1 }\ncluster: x\n', 'native'],
    ['native with a schema comment', '# yaml-language-server: $schema=x.json\ncluster: lab\n', 'native'],
    ['Ansible YAML with all', 'all:\n  hosts:\n    n1:\n', 'ansible-yaml'],
    ['Ansible YAML with groups only', 'managers:\n  hosts:\n    n1:\n', 'ansible-yaml'],
    ['Ansible YAML with a typo under all', 'all:\n  host:\n    n1:\n', 'ansible-yaml'],
    ['an empty file', '# nothing\n', 'native'],
    ['a YAML list', '- a\n- b\n', 'native'],
    ['a flow list', '[a, b]\n', 'native'],
    ['some other mapping', 'name: x\nsteps: []\n', 'native'],
  ])('%s', (_, text, format) => {
    expect(detectInventoryFormat(text)).toBe(format);
  });
});
