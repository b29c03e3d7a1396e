/**
 * A written inventory as native YAML text, ready for `-i`: settings every node shares are moved to
 * `defaults` (which means the same to the loader), each node on one line.
 */
import { Document, isMap, isSeq } from 'yaml';
import type { WrittenDocker, WrittenInventory, WrittenNode, WrittenSsh } from './normalize.js';

const SSH_KEYS = ['user', 'port', 'identity', 'known_hosts', 'host_key'] as const;

export function printInventory(written: WrittenInventory, header: readonly string[] = []): string {
  const nodes = written.nodes;
  const defaultsSsh: Record<string, unknown> = {};
  for (const key of SSH_KEYS) {
    const values = nodes.map((n) => n.ssh?.[key]);
    if (values[0] !== undefined && values.every((v) => v === values[0])) defaultsSsh[key] = values[0];
  }
  const dockers = nodes.map((n) => (n.docker === undefined ? undefined : JSON.stringify(n.docker)));
  const sharedDocker = dockers[0] !== undefined && dockers.every((d) => d === dockers[0]) ? nodes[0]?.docker : undefined;
  const slim = nodes.map((n): WrittenNode => {
    const ssh = Object.fromEntries(Object.entries(n.ssh ?? {}).filter(([k]) => !(k in defaultsSsh))) as WrittenSsh;
    const { ssh: _ssh, docker, ...rest } = n;
    return {
      ...rest,
      ...(Object.keys(ssh).length === 0 ? {} : { ssh }),
      ...(docker === undefined || sharedDocker !== undefined ? {} : { docker }),
    };
  });
  const defaults: { ssh?: WrittenSsh; docker?: WrittenDocker } = {
    ...(Object.keys(defaultsSsh).length === 0 ? {} : { ssh: defaultsSsh as WrittenSsh }),
    ...(sharedDocker === undefined ? {} : { docker: sharedDocker }),
  };
  const doc = new Document({
    cluster: written.cluster,
    ...(Object.keys(defaults).length === 0 ? {} : { defaults }),
    nodes: slim,
    ...(written.groups === undefined ? {} : { groups: written.groups }),
    ...(written.stacks === undefined ? {} : { stacks: written.stacks }),
  });
  const nodeSeq = doc.get('nodes', true);
  if (isSeq(nodeSeq)) for (const item of nodeSeq.items) if (isMap(item)) item.flow = true;
  const groups = doc.get('groups', true);
  if (isMap(groups)) for (const pair of groups.items) if (isSeq(pair.value)) pair.value.flow = true;
  const defaultsNode = doc.get('defaults', true);
  if (isMap(defaultsNode)) for (const pair of defaultsNode.items) if (isMap(pair.value)) pair.value.flow = true;
  doc.commentBefore = header.map((l) => ` ${l}`).join('\n') || null;
  return doc.toString({ lineWidth: 0 });
}
