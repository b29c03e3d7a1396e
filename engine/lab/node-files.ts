/**
 * Each node's files: its directory, HOME, host key and sshd_config; and the lab's client key, authorized_keys
 * and known_hosts. What stands behind its system paths is node-root.ts's.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from './exec.js';
import { nodePath } from './node-root.js';
import type { LabNodeRecord } from './state.js';

export function clientKey(dir: string): string {
  return join(dir, 'id_ed25519');
}

export function knownHostsFile(dir: string): string {
  return join(dir, 'known_hosts');
}

export function dockerSocket(node: Pick<LabNodeRecord, 'dir'>): string {
  return join(node.dir, 'docker.sock');
}

export function sshdConfigFile(node: Pick<LabNodeRecord, 'dir'>): string {
  return join(node.dir, 'sshd_config');
}

function hostKey(node: LabNodeRecord): string {
  return join(node.dir, 'ssh_host_ed25519_key');
}

async function keygen(file: string, comment: string): Promise<void> {
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** The lab's client key and the authorized_keys every node's sshd reads. */
export async function writeClientKey(dir: string, lab: string): Promise<void> {
  await keygen(clientKey(dir), `runbook-lab-${lab}`);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKey(dir)}.pub`), { mode: 0o600 });
}

export async function writeNodeFiles(dir: string, node: LabNodeRecord): Promise<void> {
  await mkdir(join(node.dir, 'home'), { recursive: true, mode: 0o700 });
  await keygen(hostKey(node), `${node.name}`);
  const config = [
    'Port 22',
    `ListenAddress ${node.address}`,
    `HostKey ${hostKey(node)}`,
    `PidFile ${join(node.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    // Sessions reach this node's dockerd and systemctl, and a HOME of its own skips root's slow shell start-up files.
    `SetEnv DOCKER_HOST=unix://${dockerSocket(node)} HOME=${join(node.dir, 'home')} PATH=${nodePath(node)}`,
    'Subsystem sftp internal-sftp',
    '',
  ];
  await writeFile(sshdConfigFile(node), config.join('\n'));
}

/** known_hosts with each node's real host key under its name and its address. */
export async function writeKnownHosts(dir: string, nodes: readonly LabNodeRecord[]): Promise<void> {
  const lines: string[] = [];
  for (const node of nodes) {
    const [type, key] = (await readFile(`${hostKey(node)}.pub`, 'utf8')).trim().split(/\s+/);
    lines.push(`${node.name},${node.address} ${type ?? ''} ${key ?? ''}`);
  }
  await writeFile(knownHostsFile(dir), `${lines.join('\n')}\n`);
}
