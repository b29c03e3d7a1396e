/**
 * A demotion is over for the swarm as soon as the leader has removed the node from Raft, but the node itself
 * keeps its manager certificate until it renews it, 5–10 s later on a quiet cluster (measured on the lab).
 * Powered off inside that window it boots with the manager certificate, joins Raft again and takes the quorum
 * with it: a swarm shut down to its last manager comes back without a leader. Nothing in the Engine API shows
 * the certificate's role (the node's own `ControlAvailable` is already false), so it is read where the daemon
 * keeps it, over SSH: `<DockerRootDir>/swarm/certificates/swarm-node.crt`, whose subject's OU is
 * `swarm-manager` or `swarm-worker`.
 */
import { X509Certificate } from 'node:crypto';
import type { ActionContext } from '../../define.js';
import { describeError, RunbookError, type RunbookErrorCode } from '../../../errors.js';
import { dockerTargetOf } from '../../../io/docker/target.js';
import { sshTargetOf } from '../../../io/ssh/target.js';
import type { InventoryNode } from '../../../inventory/types.js';
import { pollUntil } from '../../poll.js';
import { engineInfo } from '../cluster.js';

/** `swarm-manager`, `swarm-worker`, or undefined when `pem` is not a certificate with such an OU. */
export function certificateRole(pem: string): string | undefined {
  try {
    const subject = new X509Certificate(pem).subject;
    return /^OU=(swarm-[a-z]+)$/m.exec(subject)?.[1];
  } catch {
    return undefined;
  }
}

/** SSH failures that may pass (a network blip): asked again until the timeout. */
const SSH_TRANSIENT: ReadonlySet<RunbookErrorCode> = new Set(['UNREACHABLE', 'TIMEOUT']);

/** How long a renewal takes at most, as far as the lab showed (8–10 s): waited when the file cannot be read. */
const RENEWAL_MS = 20_000;

/** The certificate file exists but cannot be read (permissions), or is not a swarm certificate. */
class Unreadable extends RunbookError {
  constructor(why: string) {
    super('COMMAND_FAILED', why);
  }
}

/** Where the node's daemon keeps its swarm certificate; throws when the daemon does not answer. */
async function certificatePath(ctx: ActionContext, node: InventoryNode): Promise<string> {
  const root = (await engineInfo(ctx.ports.docker, dockerTargetOf(node), ctx.signal, 10_000)).DockerRootDir ?? '/var/lib/docker';
  return `${root}/swarm/certificates/swarm-node.crt`;
}

/** The certificate's role, read over SSH (`cat`, else `sudo -n cat`). */
async function readRole(ctx: ActionContext, node: InventoryNode, file: string): Promise<string> {
  const quoted = ctx.ports.shell.quote(file);
  const read = await ctx.ports.ssh.exec(sshTargetOf(node), `cat ${quoted} 2>/dev/null || sudo -n cat ${quoted}`, { signal: ctx.signal, readOnly: true });
  if (read.exitCode !== 0) throw new Unreadable(`exit code ${read.exitCode}`);
  const role = certificateRole(read.stdout);
  if (role === undefined) throw new Unreadable('not a swarm certificate');
  return role;
}

/**
 * True only when the inventory node `name`'s certificate could be read and is still a manager's: a demotion the swarm shows done
 * (a resumed run's check) is not done until the node has renewed it. Anything that cannot be read says false:
 * the check cannot know more than the run itself would.
 */
export async function holdsManagerCertificate(ctx: ActionContext, name: string): Promise<boolean> {
  const node = ctx.inventory?.nodes.find((n) => n.name === name);
  if (node === undefined) return false;
  try {
    return (await readRole(ctx, node, await certificatePath(ctx, node))) === 'swarm-manager';
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return false;
  }
}

/**
 * Waits until `node`'s own certificate is a worker's. A node whose daemon does not answer (demoted while down)
 * is not waited for; one whose certificate cannot be read over SSH (permissions) is given the time a renewal
 * takes; one whose SSH does not answer is asked again until the timeout. The log says which.
 */
export async function waitWorkerCertificate(ctx: ActionContext, node: InventoryNode, timeoutMs: number): Promise<void> {
  let file: string;
  try {
    file = await certificatePath(ctx, node);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.log('info', `${node.name}: its daemon does not answer (${describeError(e)}), so its certificate cannot be seen; until it renews it as a worker, booting it rejoins it to Raft`);
    return;
  }
  try {
    await pollUntil(ctx, { what: `${node.name} to hold a worker certificate (${file})`, timeoutMs, intervalMs: 500, tolerate: SSH_TRANSIENT }, async () => {
      const role = await readRole(ctx, node, file);
      return role === 'swarm-worker' ? { done: true, value: undefined } : { done: false, waiting: `${node.name}'s certificate is still ${role}` };
    });
  } catch (e) {
    // Only a file that cannot be read is waited out; an SSH that never answers again fails the step (TIMEOUT):
    // the node cannot have renewed its certificate without a network.
    if (!(e instanceof Unreadable) || ctx.signal.aborted) throw e;
    ctx.log('info', `${node.name}: cannot read ${file} over SSH (${e.message}); waiting ${RENEWAL_MS / 1000} s, the time its renewal as a worker takes (let the SSH user read it, directly or with sudo -n, to wait only as long as needed)`);
    await ctx.ports.clock.sleep(Math.min(RENEWAL_MS, timeoutMs), ctx.signal);
  }
}
