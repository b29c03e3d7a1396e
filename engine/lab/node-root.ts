/**
 * The system paths a session on a lab node sees. Nodes share this machine's filesystem, so a runbook's
 * production defaults (`/etc/docker/daemon.json`, `/var/lib/docker/swarm`, `/var/backups`, `systemctl reload
 * docker`) would otherwise change the machine the lab runs on. Each node's sshd runs in a mount namespace of
 * its own where those paths are the node's:
 *
 *   /etc/docker       → <node>/etc-docker   (its dockerd reads daemon.json from there)
 *   /var/lib/docker   → <node>/data         (its dockerd's data root)
 *   /var/backups      → <node>/var-backups
 *   /run              → a tmpfs: /run/docker.pid and /run/docker.sock lead to the node's, and the node's own
 *                       namespace files are where the lab's commands look for them
 *   systemctl         → a script that starts, stops and reloads the node's dockerd (and nothing else)
 *
 * The node's mounts never reach the machine (slave propagation), and they end with its last process.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { shellQuote } from './exec.js';
import { netnsPath } from './network.js';
import type { LabNodeRecord } from './state.js';

export function nodeEtcDocker(node: Pick<LabNodeRecord, 'dir'>): string {
  return join(node.dir, 'etc-docker');
}

/** The daemon.json the node's dockerd reads: `/etc/docker/daemon.json` as its sessions see it. */
export function nodeDaemonJson(node: Pick<LabNodeRecord, 'dir'>): string {
  return join(nodeEtcDocker(node), 'daemon.json');
}

function systemctlScript(node: Pick<LabNodeRecord, 'dir'>): string {
  return join(node.dir, 'bin', 'systemctl');
}

/** The node's directories behind the system paths, and its systemctl. */
export async function writeNodeRoot(labDir: string, labName: string, node: Pick<LabNodeRecord, 'dir' | 'name'>): Promise<void> {
  for (const dir of [nodeEtcDocker(node), join(node.dir, 'data'), join(node.dir, 'var-backups'), join(node.dir, 'bin')]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(systemctlScript(node), systemctl(labDir, labName, node));
  await chmod(systemctlScript(node), 0o755);
}

/** argv prefix: runs the command (sshd) with the node's system paths. */
export function withNodeRoot(node: Pick<LabNodeRecord, 'dir' | 'netns' | 'uts'>): string[] {
  const q = shellQuote;
  const d = node.dir;
  // The node's own namespace files, which the lab's commands enter it by; only its own, so that its mount
  // namespace keeps no other node's or lab's namespace alive.
  const nsFiles: Array<[string, string]> = [
    [netnsPath(node.netns), join(d, 'ns-net')],
    [node.uts, join(d, 'ns-uts')],
  ];
  const binds: Array<[string, string]> = [
    [nodeEtcDocker(node), '/etc/docker'],
    [join(d, 'data'), '/var/lib/docker'],
    [join(d, 'var-backups'), '/var/backups'],
  ];
  const script = [
    'set -e',
    ...binds.map(([from, to]) => `mkdir -p ${q(to)} && mount --bind ${q(from)} ${q(to)}`),
    ...nsFiles.map(([file, kept]) => `touch ${q(kept)} && mount --bind ${q(file)} ${q(kept)}`),
    'mount -t tmpfs -o mode=755 lab-run /run',
    ...nsFiles.map(([file, kept]) => `mkdir -p "$(dirname ${q(file)})" && touch ${q(file)} && mount --bind ${q(kept)} ${q(file)}`),
    // sshd's privilege separation directory.
    'mkdir -m 755 /run/sshd',
    `ln -s ${q(join(d, 'docker.pid'))} /run/docker.pid`,
    `ln -s ${q(join(d, 'docker.sock'))} /run/docker.sock`,
    // Also where an absolute /usr/bin/systemctl or sudo's own PATH finds it, when the machine has one.
    `if [ -e /usr/bin/systemctl ]; then mount --bind ${q(systemctlScript(node))} /usr/bin/systemctl; fi`,
    'exec "$@"',
  ].join('\n');
  return ['unshare', '--mount', '--propagation', 'slave', '/bin/sh', '-c', script, 'node-root'];
}

/** The PATH of sessions on the node: its systemctl first. */
export function nodePath(node: Pick<LabNodeRecord, 'dir'>): string {
  return `${join(node.dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
}

/**
 * systemctl for one node: `start|stop|restart|reload|is-active` of `docker` (`docker.service`,
 * `docker.socket`), as the procedures call it. Starting goes through `runbook lab dockerd start`, so the lab
 * records the new dockerd like one it started itself.
 */
function systemctl(labDir: string, labName: string, node: Pick<LabNodeRecord, 'dir' | 'name'>): string {
  const q = shellQuote;
  const lab = [process.execPath, join(packageRoot(), 'bin', 'runbook.js'), 'lab'].map(q).join(' ');
  return `#!/bin/sh
# systemctl on lab node ${node.name}: its dockerd only. Written by runbook lab up.
pidfile=${q(join(node.dir, 'docker.pid'))}
pid() { cat "$pidfile" 2>/dev/null; }
running() { p=$(pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
usage() { echo "systemctl on lab node ${node.name} knows: start, stop, restart, reload, is-active of docker (docker.service, docker.socket); not: $*" >&2; exit 1; }
stop() {
  running || return 0
  p=$(pid); kill -TERM "$p"
  i=0; while kill -0 "$p" 2>/dev/null; do i=$((i + 1)); [ $i -gt 600 ] && { echo "dockerd ($p) did not stop within 60 s" >&2; exit 1; }; sleep 0.1; done
}
start() {
  running && return 0
  ${lab} dockerd start ${q(node.name)} --name ${q(labName)} --dir ${q(labDir)} >/dev/null
}
verb=; units=0
for a in "$@"; do
  case "$a" in
    -*) ;;
    docker|docker.service|docker.socket) units=$((units + 1)) ;;
    *) if [ -z "$verb" ]; then verb=$a; else usage "$@"; fi ;;
  esac
done
[ "$units" -gt 0 ] || usage "$@"
case "$verb" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  reload) running || { echo "docker is not running on ${node.name}" >&2; exit 1; }; kill -HUP "$(pid)" ;;
  is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
  *) usage "$@" ;;
esac
`;
}
