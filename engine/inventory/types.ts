/**
 * The resolved inventory: the cluster's nodes, how to reach them, how to power them.
 * `role` is the desired role; live state always comes from the cluster.
 */
import type { SourceRef } from '../dsl/diagnostics.js';

export type NodeName = string & { readonly __brand: 'NodeName' };
export type NodeRole = 'manager' | 'worker';

export interface SshSettings {
  readonly user: string;
  readonly port: number;
  /** Private key file; `~` expanded. Absent: ssh-agent / ~/.ssh/config. */
  readonly identity?: string;
  readonly knownHosts?: string;
  /** `strict` (default) refuses unknown keys; `accept-new` records them. */
  readonly hostKey: 'strict' | 'accept-new';
  /** Key exchange algorithms in order of preference; absent: ssh2's defaults (curve25519-sha256 first). */
  readonly kex?: readonly string[];
  /** How many connections the engine opens at once (`defaults.ssh` only); absent: the pool's default. */
  readonly maxConnections?: number;
}

/** PEM files (absolute paths) for the Engine API over TLS: the CA the daemon's certificate must chain to, and ours. */
export interface DockerTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** How to reach a node's Docker Engine API; `tcp` without `tls` is plain HTTP (loopback, or `tls: false`). */
export type DockerEndpoint =
  | { readonly type: 'socket'; readonly socket: string }
  | { readonly type: 'tcp'; readonly host: string; readonly tls?: DockerTls }
  | { readonly type: 'ssh' };

/** A power command: a local shell command, `ssh-poweroff`, or `manual` (ask the operator). */
export type PowerCommand = string;

export interface PowerSettings {
  readonly off: PowerCommand;
  readonly on: PowerCommand;
}

export interface InventoryNode {
  readonly name: NodeName;
  readonly address: string;
  readonly role: NodeRole;
  readonly labels: Readonly<Record<string, string>>;
  readonly ssh: SshSettings;
  readonly docker: DockerEndpoint;
  readonly power: PowerSettings;
  readonly source: SourceRef;
}

export interface StackDecl {
  readonly name: string;
  readonly compose: string;
  readonly health?: string;
}

export interface Inventory {
  readonly cluster: string;
  readonly nodes: readonly InventoryNode[];
  /** Named groups, including the implicit `all`, `managers` and `workers`. */
  readonly groups: Readonly<Record<string, readonly NodeName[]>>;
  readonly stacks: readonly StackDecl[];
  readonly file: string;
  readonly hash: string;
}
