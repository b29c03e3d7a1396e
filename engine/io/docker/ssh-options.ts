/**
 * ssh2 settings for docker-modem's SSH transport (`docker system dial-stdio` on the node). The host key
 * is checked against known_hosts exactly as the SSH actions check it: never accept-all.
 */
import { readFileSync } from 'node:fs';
import type { ConnectConfig } from 'ssh2';
import { RunbookError } from '../../errors.js';
import type { SshTarget } from '../ports.js';
import { appendKnownHost, fingerprint, hostKeyName, keyTypeOf, readKnownHosts, verifyHostKey } from '../ssh/known-hosts.js';

function describe(t: SshTarget): string {
  return `${t.name} (${t.user}@${t.host}:${t.port})`;
}

/** Why the last host key was refused; read when the connection then fails. */
export interface HostKeyProblemSlot {
  problem?: RunbookError;
}

export function sshConnectOptions(target: SshTarget, slot: HostKeyProblemSlot, agentSocket: string | undefined): ConnectConfig {
  if (target.jump !== undefined) {
    throw new RunbookError(
      'INVALID',
      `${target.name}: the Docker API over SSH cannot go through the jump host ${target.jump.name}; give the node docker: { host: tcp://… } or run on a manager reachable directly`,
    );
  }
  const names = [hostKeyName(target.name, target.port), hostKeyName(target.host, target.port)];
  const config: ConnectConfig = {
    readyTimeout: 10_000,
    ...(agentSocket === undefined ? {} : { agent: agentSocket }),
    hostVerifier: (key: Buffer): boolean => {
      const file = target.knownHosts;
      if (file === undefined) {
        slot.problem = new RunbookError('HOST_KEY', `${describe(target)}: no known_hosts file to verify its host key ${fingerprint(key)}; set ssh.known_hosts in the inventory`);
        return false;
      }
      const verdict = verifyHostKey(readKnownHosts(file), names, key);
      if (verdict === 'match') {
        slot.problem = undefined;
        return true;
      }
      if (verdict === 'unknown' && target.hostKey === 'accept-new') {
        appendKnownHost(file, names[1] as string, key);
        slot.problem = undefined;
        return true;
      }
      const presented = `${keyTypeOf(key)} ${fingerprint(key)}`;
      slot.problem = new RunbookError(
        'HOST_KEY',
        verdict === 'unknown'
          ? `${describe(target)}: unknown host key ${presented}, not in ${file}; verify it, then add it (ssh-keyscan) or set ssh.host_key: accept-new`
          : verdict === 'revoked'
            ? `${describe(target)}: host key ${presented} is marked @revoked in ${file}`
            : `${describe(target)}: HOST KEY MISMATCH: the host presented ${presented}, which differs from ${file}`,
      );
      return false;
    },
  };
  if (target.identity !== undefined) {
    try {
      config.privateKey = readFileSync(target.identity);
    } catch (e) {
      throw new RunbookError('AUTH', `${describe(target)}: cannot read identity ${target.identity}: ${(e as Error).message}`);
    }
  }
  return config;
}
