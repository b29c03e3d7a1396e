/**
 * The parts of Engine API objects the swarm actions read (API v1.41+). Unknown fields are kept when a
 * spec is sent back, so these types only name what is looked at.
 */

/** `Node.Spec`: sent back whole on every update, or labels are wiped. */
export interface NodeSpec {
  readonly Name?: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly Role: 'manager' | 'worker';
  readonly Availability: 'active' | 'pause' | 'drain';
  readonly [extra: string]: unknown;
}

/** An entry of `GET /nodes`. */
export interface SwarmNode {
  readonly ID: string;
  readonly Version: { readonly Index: number };
  readonly Spec: NodeSpec;
  readonly Description?: { readonly Hostname?: string; readonly Engine?: { readonly EngineVersion?: string } };
  readonly Status?: { readonly State?: string; readonly Message?: string; readonly Addr?: string };
  readonly ManagerStatus?: { readonly Leader?: boolean; readonly Reachability?: string; readonly Addr?: string } | null;
}

/** `GET /info` → `Swarm`. */
export interface SwarmInfo {
  readonly NodeID?: string;
  readonly NodeAddr?: string;
  readonly LocalNodeState?: '' | 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  readonly ControlAvailable?: boolean;
  readonly Error?: string;
  readonly RemoteManagers?: readonly { readonly NodeID?: string; readonly Addr?: string }[] | null;
  readonly Nodes?: number;
  readonly Managers?: number;
  readonly Cluster?: { readonly ID?: string } | null;
}

/** `GET /info`. */
export interface EngineInfo {
  readonly Name?: string;
  readonly ServerVersion?: string;
  readonly Swarm?: SwarmInfo;
  /** Registries by `host:port`; `Secure: false` for those in `insecure-registries`. */
  readonly RegistryConfig?: { readonly IndexConfigs?: Readonly<Record<string, { readonly Secure?: boolean }>> };
}

/** `GET /swarm` (managers only). */
export interface SwarmInspect {
  readonly ID: string;
  readonly JoinTokens: { readonly Worker: string; readonly Manager: string };
}
