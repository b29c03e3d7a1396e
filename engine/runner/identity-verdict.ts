/**
 * Is the daemon or host that answered the inventory's node? Pure: the identity read from it, the node's
 * name, and what this run recorded about the node at first contact (resumes included). The inventory's
 * `name` is the node's hostname (as `docker node ls` shows it), so at first contact the hostname must
 * match it; from then on it must be the host the run first met. An endpoint shared by several nodes
 * (every node's default Docker endpoint is the runner's own socket) answers with one hostname for all
 * of them, which matches at most one.
 */

/** Which of a node's connections answered. */
export type IdentityVia = 'docker' | 'ssh';

/** What a daemon or host says it is. */
export interface ObservedIdentity {
  /** `uname -n` over SSH; the Engine's `Name` (its hostname) over the Docker API. */
  readonly hostname: string;
  /** The Engine's own `ID`, which outlives swarm membership. */
  readonly daemonId?: string;
  /** `Swarm.NodeID`, when the daemon is in a swarm. */
  readonly nodeId?: string;
}

/** The identity recorded when the run first reached a node over one of its connections. */
export interface RecordedIdentity extends ObservedIdentity {
  readonly node: string;
  readonly via: IdentityVia;
  /** Where it answered: `unix:///var/run/docker.sock`, `ssh://root@10.0.0.2:22`. */
  readonly endpoint: string;
}

export type IdentityVerdict =
  | { readonly ok: true; /** First contact: to be recorded. */ readonly first: boolean }
  | { readonly ok: false; readonly message: string };

/**
 * A hostname names the node when it is the name, ignoring case and a domain on either side
 * (`dccn-c001` is `dccn-c001.example.org`): `docker node ls` shows what the host calls itself.
 */
export function namesNode(node: string, hostname: string): boolean {
  const a = node.toLowerCase();
  const b = hostname.toLowerCase();
  if (a === b) return true;
  const short = (s: string): string => s.split('.')[0] as string;
  return (a.includes('.') !== b.includes('.')) && short(a) === short(b);
}

/** `host "ctl01" (swarm node abc123)`, for messages. */
export function describeIdentity(id: ObservedIdentity): string {
  const extra = id.nodeId !== undefined && id.nodeId !== '' ? ` (swarm node ${id.nodeId})` : id.daemonId !== undefined ? ` (daemon ${id.daemonId})` : '';
  return `host ${JSON.stringify(id.hostname)}${extra}`;
}

function whoAnswers(node: string, via: IdentityVia, endpoint: string): string {
  return via === 'docker' ? `${node}: the Docker API at ${endpoint} answers as` : `${node}: SSH to ${endpoint.replace(/^ssh:\/\//, '')} reaches`;
}

function hint(node: string, via: IdentityVia, endpoint: string): string {
  if (via === 'ssh') return `check ${node}'s address in the inventory (and its entry in ~/.ssh/config)`;
  if (endpoint.startsWith('unix://')) {
    return `every node of this inventory may point at the same daemon; give ${node} docker: { via: ssh } or its own host`;
  }
  return `check ${node}'s docker endpoint in the inventory, or give it docker: { via: ssh }`;
}

export function judgeIdentity(input: {
  readonly node: string;
  readonly via: IdentityVia;
  readonly endpoint: string;
  readonly observed: ObservedIdentity;
  readonly recorded: RecordedIdentity | undefined;
}): IdentityVerdict {
  const { node, via, endpoint, observed, recorded } = input;
  if (recorded === undefined) {
    if (namesNode(node, observed.hostname)) return { ok: true, first: true };
    return { ok: false, message: `${whoAnswers(node, via, endpoint)} ${describeIdentity(observed)}, not ${node} — ${hint(node, via, endpoint)}` };
  }
  // The hostname decides; the daemon's ID and swarm node ID change when its state is reset or it rejoins.
  if (recorded.hostname.toLowerCase() === observed.hostname.toLowerCase()) return { ok: true, first: false };
  return {
    ok: false,
    message:
      `${whoAnswers(node, via, endpoint)} ${describeIdentity(observed)}, but this run first reached ${node} at ${recorded.endpoint} ` +
      `as ${describeIdentity(recorded)} — the inventory or the host changed since; ${hint(node, via, endpoint)}`,
  };
}
