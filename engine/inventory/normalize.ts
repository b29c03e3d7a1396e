/**
 * The written inventory (what the schema accepts) to the resolved one: per-node settings over defaults,
 * `~` and relative paths resolved, implicit groups `all`, `managers`, `workers` added. Also the checks the
 * schema cannot express: duplicate node names, groups naming unknown nodes or reusing an implicit name.
 */
import { isIP } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { diagnostic } from '../dsl/diagnostics.js';
import type { Diagnostic, Loaded, SourceRef } from '../dsl/diagnostics.js';
import { refAt, refAtKey } from '../dsl/positions.js';
import type { DataPath, YamlSource } from '../dsl/positions.js';
import { didYouMean } from '../dsl/rules/closest.js';
import { DEFAULT_DOCKER, dockerEndpoint, type WrittenDocker } from './docker.js';
import type { DockerEndpoint, Inventory, InventoryNode, NodeName, NodeRole, PowerSettings, SshSettings, StackDecl } from './types.js';

export interface WrittenSsh {
  readonly user?: string;
  readonly port?: number;
  readonly identity?: string;
  readonly known_hosts?: string;
  readonly host_key?: 'strict' | 'accept-new';
  readonly kex?: readonly string[];
  readonly max_connections?: number;
}
export interface WrittenPower {
  readonly off?: string;
  readonly on?: string;
}
export interface WrittenNode {
  readonly name: string;
  readonly address: string;
  readonly role: NodeRole;
  readonly labels?: Readonly<Record<string, string | number | boolean>>;
  readonly ssh?: WrittenSsh;
  readonly docker?: WrittenDocker;
  readonly power?: WrittenPower;
}
/** An inventory as written. */
export interface WrittenInventory {
  readonly cluster: string;
  readonly defaults?: { readonly ssh?: WrittenSsh; readonly docker?: WrittenDocker; readonly power?: WrittenPower };
  readonly nodes: readonly WrittenNode[];
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  readonly stacks?: readonly StackDecl[];
}

/**
 * Where the parts of a written inventory are written: in a native inventory, its YAML nodes; in one converted
 * from another format, the lines it came from.
 */
export interface InventoryPositions {
  readonly file: string;
  /** Where the value at `path` (e.g. `['nodes', 2]`) is written. */
  at(path: DataPath): SourceRef;
  /** Where the key of the last segment of `path` is written. */
  atKey(path: DataPath): SourceRef;
}

/** The positions of a native inventory: its YAML document's. */
export function yamlPositions(src: YamlSource): InventoryPositions {
  return { file: src.file, at: (path) => refAt(src, path), atKey: (path) => refAtKey(src, path) };
}

export type { WrittenDocker, WrittenTls } from './docker.js';

/** The groups every inventory has; a declared group may not take these names. */
export const IMPLICIT_GROUPS = ['all', 'managers', 'workers'] as const;

const DEFAULT_POWER: PowerSettings = { off: 'ssh-poweroff', on: 'manual' };

/** `{address}` and `{node}` in a `host:` stand for the node's: one default reaches every node's daemon. */
function forNode(w: WrittenDocker, node: WrittenNode): WrittenDocker {
  if (w.host === undefined) return w;
  const address = isIP(node.address) === 6 ? `[${node.address}]` : node.address;
  return { ...w, host: w.host.replaceAll('{address}', address).replaceAll('{node}', node.name) };
}

function hasPlaceholder(w: WrittenDocker): boolean {
  return w.host !== undefined && /\{(address|node)\}/.test(w.host);
}

/** Converts a shape-checked inventory; `home` expands `~`. */
export function normalizeInventory(
  written: WrittenInventory,
  src: InventoryPositions,
  hash: string,
  home: string,
): Loaded<Inventory> {
  const diagnostics: Diagnostic[] = [];
  const baseDir = dirname(src.file);
  const path = (p: string) => resolvePath(p, baseDir, home);
  const defaults = written.defaults ?? {};
  // A problem of the defaults is told once, not once per node that takes them.
  const told = new Set<string>();
  const docker = (w: WrittenDocker | undefined, at: DataPath, node?: WrittenNode): DockerEndpoint | undefined => {
    if (w === undefined) return DEFAULT_DOCKER;
    const endpoint = dockerEndpoint(node === undefined ? w : forNode(w, node), at, src, path);
    for (const d of endpoint.diagnostics) {
      const key = `${d.code} ${d.source.line}:${d.source.col}`;
      if (!told.has(key)) diagnostics.push(d);
      told.add(key);
    }
    return endpoint.value;
  };
  // A default without placeholders is checked once; one with `{address}` or `{node}` for each node.
  const templated = defaults.docker !== undefined && hasPlaceholder(defaults.docker);
  const defaultDocker = templated ? undefined : docker(defaults.docker, ['defaults', 'docker']);
  const nodes: InventoryNode[] = [];
  const byName = new Map<string, number>();
  written.nodes.forEach((node, i) => {
    const first = byName.get(node.name);
    if (first !== undefined) {
      diagnostics.push(
        diagnostic(
          'RB_INV_DUPLICATE_NODE',
          src.at(['nodes', i, 'name']),
          `node "${node.name}" is declared twice (first at line ${nodes[first]?.source.line ?? '?'})`,
          'keep one entry per node',
        ),
      );
      return;
    }
    if (node.ssh?.max_connections !== undefined) {
      diagnostics.push(
        diagnostic(
          'RB_BAD_VALUE',
          src.atKey(['nodes', i, 'ssh', 'max_connections']),
          'ssh.max_connections limits the connections of the whole run, not of one node',
          'write it under defaults.ssh',
        ),
      );
    }
    byName.set(node.name, nodes.length);
    const endpoint =
      node.docker !== undefined
        ? docker(node.docker, ['nodes', i, 'docker'], node)
        : templated
          ? docker(defaults.docker, ['defaults', 'docker'], node)
          : defaultDocker;
    if (endpoint === undefined) return;
    nodes.push({
      name: node.name as NodeName,
      address: node.address,
      role: node.role,
      labels: Object.fromEntries(Object.entries(node.labels ?? {}).map(([k, v]) => [k, String(v)])),
      ssh: ssh({ ...defaults.ssh, ...node.ssh }, path),
      docker: endpoint,
      power: { ...DEFAULT_POWER, ...defaults.power, ...node.power },
      source: src.at(['nodes', i]),
    });
  });
  const names = (role?: NodeRole) => nodes.filter((n) => role === undefined || n.role === role).map((n) => n.name);
  const groups: Record<string, readonly NodeName[]> = {
    all: names(),
    managers: names('manager'),
    workers: names('worker'),
  };
  for (const [group, members] of Object.entries(written.groups ?? {})) {
    if ((IMPLICIT_GROUPS as readonly string[]).includes(group)) {
      diagnostics.push(
        diagnostic(
          'RB_BAD_VALUE',
          src.atKey(['groups', group]),
          `group "${group}" is implicit (${IMPLICIT_GROUPS.join(', ')} come from the nodes' roles)`,
          'choose another name',
        ),
      );
      continue;
    }
    if (byName.has(group)) {
      diagnostics.push({
        ...diagnostic(
          'RB_BAD_VALUE',
          src.atKey(['groups', group]),
          `group "${group}" has the same name as a node, so \`on: ${group}\` is ambiguous`,
          'rename the group',
        ),
        severity: 'warning',
      });
    }
    const known = new Set<NodeName>();
    members.forEach((member, j) => {
      if (byName.has(member)) {
        known.add(member as NodeName);
        return;
      }
      diagnostics.push(
        diagnostic(
          'RB_INV_UNKNOWN_NODE',
          src.at(['groups', group, j]),
          `group "${group}" names "${member}", which is not a node of this inventory`,
          didYouMean(member, byName.keys()) ?? 'add the node under `nodes:` or remove it from the group',
        ),
      );
    });
    groups[group] = [...known];
  }
  const stackNames = new Set<string>();
  const stacks = (written.stacks ?? []).map((stack, i) => {
    if (stackNames.has(stack.name)) {
      diagnostics.push(
        diagnostic('RB_BAD_VALUE', src.at(['stacks', i, 'name']), `stack "${stack.name}" is declared twice`, 'keep one entry per stack'),
      );
    }
    stackNames.add(stack.name);
    return stack.health === undefined
      ? { name: stack.name, compose: path(stack.compose) }
      : { name: stack.name, compose: path(stack.compose), health: stack.health };
  });
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { value: { cluster: written.cluster, nodes, groups, stacks, file: src.file, hash }, diagnostics };
}

function ssh(written: WrittenSsh, path: (p: string) => string): SshSettings {
  const settings: { -readonly [K in keyof SshSettings]: SshSettings[K] } = {
    user: written.user ?? 'root',
    port: written.port ?? 22,
    hostKey: written.host_key ?? 'strict',
  };
  if (written.identity !== undefined) settings.identity = path(written.identity);
  if (written.known_hosts !== undefined) settings.knownHosts = path(written.known_hosts);
  if (written.kex !== undefined) settings.kex = [...written.kex];
  if (written.max_connections !== undefined) settings.maxConnections = written.max_connections;
  return settings;
}

/** `~/x` → home/x; relative paths are relative to the inventory file, not to where runbook was started. */
export function resolvePath(p: string, baseDir: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
