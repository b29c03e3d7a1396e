/**
 * Before an instance changes anything on a node, the daemon or host answering must be that node: its
 * Docker Engine (`GET /info`: `Name`, `ID`, `Swarm.NodeID`) or its SSH host (`uname -n`, which the SSH pool
 * keeps with the connection it was asked on). Asked once per node and connection per run, at first contact;
 * what answered is journaled (`node.identified`), and later contacts, resumes included, are judged against
 * it. A host that is not the node refuses the instance (GUARD_REFUSED: exit 3, nothing done there).
 */
import type { ActionDefinition } from '../actions/define.js';
import { RunbookError } from '../errors.js';
import { dockerTargetOf, endpointUrl } from '../io/docker/target.js';
import type { Ports, SshTarget, Target } from '../io/ports.js';
import { sshTargetOf } from '../io/ssh/target.js';
import type { InventoryNode } from '../inventory/types.js';
import { onlyReads } from '../actions/define.js';
import { identityKey } from '../journal/replay.js';
import type { NodeIdentityEntry } from '../journal/records.js';
import type { RunEvent } from './events.js';
import { judgeIdentity, type IdentityVia, type ObservedIdentity } from './identity-verdict.js';

interface EngineInfo {
  readonly Name?: string;
  readonly ID?: string;
  readonly Swarm?: { readonly NodeID?: string };
}

/**
 * The connections of its target node a changing instance goes through. Docker actions call the target's
 * Engine API (for an action about another node, `with.node`, the manager's daemon is the one acting);
 * SSH actions its SSH host; a restart or an `ssh-poweroff` goes over SSH too.
 */
export function channelsOf(action: ActionDefinition<Record<string, unknown>>, args: Record<string, unknown>, node: InventoryNode): IdentityVia[] {
  if (onlyReads(action, args)) return [];
  const name = action.name;
  if (name === 'power.off') return node.power.off === 'ssh-poweroff' ? ['ssh'] : [];
  if (name === 'docker.daemon.restart') return args['local_command'] === undefined ? ['ssh', 'docker'] : ['docker'];
  if (name.startsWith('docker.')) return ['docker'];
  if (name.startsWith('ssh.')) return ['ssh'];
  return [];
}

function sshEndpoint(t: SshTarget): string {
  return `${t.user}@${t.host}:${t.port}`;
}

export class NodeIdentity {
  /** One look per node and connection, shared by the instances that need it at once. */
  private readonly looks = new Map<string, Promise<void>>();
  private readonly recorded: Map<string, NodeIdentityEntry>;

  constructor(
    private readonly ports: Ports,
    private readonly signal: AbortSignal,
    private readonly emit: (event: RunEvent) => void,
    /** What earlier starts of the run recorded (resume). */
    recorded: ReadonlyMap<string, NodeIdentityEntry> = new Map(),
  ) {
    this.recorded = new Map(recorded);
  }

  /** Resolves when every connection the instance changes things through answers as its node; throws GUARD_REFUSED when one does not. */
  async verify(action: ActionDefinition<Record<string, unknown>>, args: Record<string, unknown>, target: Target): Promise<void> {
    if (target.type !== 'node') return;
    for (const via of channelsOf(action, args, target.node)) await this.verifyOne(target.node, via);
  }

  private verifyOne(node: InventoryNode, via: IdentityVia): Promise<void> {
    const key = identityKey(via, node.name);
    let look = this.looks.get(key);
    if (look === undefined) {
      look = this.look(node, via, key);
      this.looks.set(key, look);
      // A node that did not answer is asked again by the next instance (or retry); a refusal stands.
      look.catch((e: unknown) => {
        if (!(e instanceof RunbookError && e.code === 'GUARD_REFUSED')) this.looks.delete(key);
      });
    }
    return look;
  }

  private async look(node: InventoryNode, via: IdentityVia, key: string): Promise<void> {
    const { endpoint, observed } = via === 'docker' ? await this.askDocker(node) : await this.askSsh(node);
    const recorded = this.recorded.get(key);
    const verdict = judgeIdentity({ node: node.name, via, endpoint, observed, recorded });
    if (!verdict.ok) throw new RunbookError('GUARD_REFUSED', verdict.message);
    if (!verdict.first) return;
    const entry: NodeIdentityEntry = { node: node.name, via, endpoint, ...observed };
    this.recorded.set(key, entry);
    this.emit({ type: 'node.identified', ...entry });
  }

  private async askDocker(node: InventoryNode): Promise<{ endpoint: string; observed: ObservedIdentity }> {
    const target = dockerTargetOf(node);
    const info = await this.ports.docker.request<EngineInfo>(target, { method: 'GET', path: '/info' }, this.signal);
    const nodeId = info.Swarm?.NodeID;
    return {
      endpoint: endpointUrl(target),
      observed: {
        hostname: info.Name ?? '',
        ...(info.ID === undefined || info.ID === '' ? {} : { daemonId: info.ID }),
        ...(nodeId === undefined || nodeId === '' ? {} : { nodeId }),
      },
    };
  }

  private async askSsh(node: InventoryNode): Promise<{ endpoint: string; observed: ObservedIdentity }> {
    const target = sshTargetOf(node);
    const hostname = await this.ports.ssh.hostname(target, this.signal);
    return { endpoint: `ssh://${sshEndpoint(target)}`, observed: { hostname } };
  }
}
