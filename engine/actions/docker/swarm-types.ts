/**
 * The parts of the Engine API's swarm objects the actions read (API v1.41+): nodes, the swarm, services
 * and tasks. Unknown fields are kept when a spec is sent back (an update sends the whole spec), so these
 * types only name what is looked at.
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
  /** The daemon's data root, e.g. /var/lib/docker: its swarm certificates are under swarm/certificates/. */
  readonly DockerRootDir?: string;
  readonly Swarm?: SwarmInfo;
  /** Registries by `host:port`; `Secure: false` for those in `insecure-registries`. */
  readonly RegistryConfig?: { readonly IndexConfigs?: Readonly<Record<string, { readonly Secure?: boolean }>> };
}

/** `GET /swarm` (managers only). */
export interface SwarmInspect {
  readonly ID: string;
  readonly JoinTokens: { readonly Worker: string; readonly Manager: string };
}

/** A service spec as the API returns it; only the fields read here are typed. */
export interface ServiceSpec {
  readonly Name: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly TaskTemplate?: {
    readonly ContainerSpec?: { readonly Image?: string; readonly Env?: readonly string[]; readonly [key: string]: unknown };
    readonly ForceUpdate?: number;
    readonly [key: string]: unknown;
  };
  readonly Mode?: {
    readonly Replicated?: { readonly Replicas?: number };
    readonly Global?: Record<string, never>;
    readonly ReplicatedJob?: unknown;
    readonly GlobalJob?: unknown;
  };
  readonly [key: string]: unknown;
}

/** `UpdateStatus.State` values (moby api/types/swarm/service.go). */
export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface SwarmService {
  readonly ID: string;
  readonly Version: { readonly Index: number };
  readonly Spec: ServiceSpec;
  readonly PreviousSpec?: ServiceSpec;
  readonly UpdateStatus?: { readonly State?: UpdateState; readonly Message?: string; readonly StartedAt?: string };
  /** Present with `GET /services?status=true` (API >= 1.41). */
  readonly ServiceStatus?: { readonly RunningTasks: number; readonly DesiredTasks: number; readonly CompletedTasks?: number };
}

/** Task states (swarmkit); the ones after `running` are terminal. */
export type TaskState =
  | 'new' | 'allocated' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running'
  | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned';

export interface SwarmTask {
  readonly ID: string;
  readonly ServiceID: string;
  readonly NodeID?: string;
  readonly Slot?: number;
  readonly DesiredState: TaskState;
  readonly Status: { readonly State: TaskState; readonly Message?: string; readonly Err?: string };
  readonly Spec?: { readonly ContainerSpec?: Readonly<Record<string, unknown>>; readonly ForceUpdate?: number };
}


export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

/** The label the docker CLI puts on every object of a stack. */
export const STACK_LABEL = 'com.docker.stack.namespace';
