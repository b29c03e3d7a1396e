/**
 * The lab's public shapes: what callers pass in and what they get back.
 */
import type { Inventory } from '../inventory/types.js';

/** Which lab: its name, and where its files live. */
export interface LabTarget {
  readonly name: string;
  /** The lab's directory; default `<stateDir>/labs/<name>`. */
  readonly dir?: string;
  readonly stateDir: string;
}

export interface LabUpOptions extends LabTarget {
  /** How many nodes (1-200). */
  readonly nodes: number;
  /** How many of them are managers (the first ones; at least 1). */
  readonly managers: number;
  /** Form a swarm: the first node inits, the other managers and the workers join. */
  readonly swarm: boolean;
  /** Serve a private registry as stack `registry` on the first manager (needs `swarm`). */
  readonly registry: boolean;
  /** Light nodes: network and UTS namespace and sshd, no dockerd; for measuring SSH fan-out at scale. */
  readonly light?: boolean;
  readonly log?: (line: string) => void;
}

/** One node as the lab made it. */
export interface LabNodeInfo {
  readonly name: string;
  readonly address: string;
  readonly role: 'manager' | 'worker';
  readonly ssh: { readonly port: 22 };
  /** Host path of the node's Docker API unix socket. */
  readonly dockerSocket: string;
  /** Its daemons are running (a light node's sshd). */
  readonly up: boolean;
}

export interface LabDescription {
  readonly name: string;
  readonly dir: string;
  /** e.g. `10.231.0.0/24`; the host holds `.1` on the bridge. */
  readonly subnet: string;
  readonly bridge: string;
  /** Path of the inventory the lab wrote for itself. */
  readonly inventory: string;
  readonly nodes: readonly LabNodeInfo[];
  /** `host:5000` of the private registry, when there is one. */
  readonly registry?: string;
}

/** A lab shaped like an inventory, and what of that inventory it could not reproduce. */
export interface LabShapedDescription extends LabDescription {
  readonly warnings: readonly string[];
}

export interface LabUpShapedOptions extends LabTarget {
  readonly inventory: Inventory;
  readonly registry: boolean;
  readonly log?: (line: string) => void;
}

/** A node as seen by the swarm (from a manager's `GET /nodes`). */
export interface SwarmNodeView {
  readonly hostname: string;
  readonly role: 'manager' | 'worker';
  readonly state: string;
  readonly availability: string;
  /** `reachable`/`unreachable` for managers; `leader` for the leader. */
  readonly manager?: string;
}

/** The swarm as one reachable manager sees it, or why no manager could answer. */
export type SwarmView =
  | { readonly type: 'none' }
  | { readonly type: 'ok'; readonly via: string; readonly nodes: readonly SwarmNodeView[] }
  | { readonly type: 'unavailable'; readonly error: string };

export interface LabNodeStatus {
  readonly name: string;
  readonly address: string;
  readonly role: 'manager' | 'worker';
  readonly dockerd: boolean;
  readonly sshd: boolean;
  /** The node's dockerd answered `/_ping`. */
  readonly api: boolean;
}

export interface LabStatusReport {
  readonly name: string;
  readonly dir: string;
  /** false when no record of the lab exists (never brought up, or already down). */
  readonly exists: boolean;
  /** Its nodes run sshd only. */
  readonly light?: boolean;
  readonly subnet?: string;
  readonly bridge?: string;
  readonly nodes: readonly LabNodeStatus[];
  readonly swarm: SwarmView;
  readonly registry?: { readonly url: string; readonly up: boolean };
}
