/**
 * Inventory node → where its Docker Engine API is: the socket or tcp address (with its TLS files) the inventory gives, or the
 * node's SSH settings when it says `docker: { via: ssh }`.
 */
import type { DockerTarget } from '../ports.js';
import { sshTargetOf } from '../ssh/target.js';
import type { InventoryNode } from '../../inventory/types.js';

export function dockerTargetOf(node: InventoryNode): DockerTarget {
  const d = node.docker;
  switch (d.type) {
    case 'socket':
      return { name: node.name, endpoint: { type: 'socket', socket: d.socket } };
    case 'tcp':
      return { name: node.name, endpoint: d };
    case 'ssh':
      return { name: node.name, endpoint: { type: 'ssh', ssh: sshTargetOf(node) } };
  }
}

/** Where a target's API is, as a URL: what messages name, and the key of its client. */
export function endpointUrl(target: DockerTarget): string {
  const e = target.endpoint;
  switch (e.type) {
    case 'socket':
      return `unix://${e.socket}`;
    case 'tcp':
      return e.host;
    case 'ssh':
      return `ssh://${e.ssh.user}@${e.ssh.host}:${e.ssh.port}`;
  }
}
