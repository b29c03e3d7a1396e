/**
 * Inventory node → SSH target. `~/.ssh/config` fills in what the inventory leaves open (HostName,
 * IdentityFile, ProxyJump; User and Port when the inventory keeps the defaults), so an operator's
 * usual `ssh node` settings carry over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { SshTarget } from '../ports.js';
import type { InventoryNode } from '../../inventory/types.js';

type Computed = Record<string, string | string[]>;

let cached: { file: string; config: SSHConfig } | undefined;

function userConfig(file: string): SSHConfig | undefined {
  if (cached?.file === file) return cached.config;
  if (!existsSync(file)) return undefined;
  const config = SSHConfig.parse(readFileSync(file, 'utf8'));
  cached = { file, config };
  return config;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function expandHome(path: string): string {
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

function jumpTarget(spec: string, base: SshTarget, config: SSHConfig | undefined): SshTarget {
  // ProxyJump [user@]host[:port]; only the first hop of a chain is used. Like ssh, the hop's own config
  // entry (HostName, User, Port, IdentityFile) applies, so `ProxyJump bastion` can name an alias.
  const hop = spec.split(',')[0] as string;
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(hop);
  const alias = m?.[2] ?? hop;
  const own: Computed = config === undefined ? {} : config.compute(alias, { ignoreCase: true });
  const port = m?.[3] ?? first(own['port']);
  const identity = first(own['identityfile']) === undefined ? base.identity : expandHome(first(own['identityfile']) as string);
  return {
    name: alias,
    host: first(own['hostname']) ?? alias,
    port: port === undefined ? 22 : Number(port),
    user: m?.[1] ?? first(own['user']) ?? base.user,
    ...(identity === undefined ? {} : { identity }),
    ...(base.knownHosts === undefined ? {} : { knownHosts: base.knownHosts }),
    hostKey: base.hostKey,
    ...(base.kex === undefined ? {} : { kex: base.kex }),
    ...(base.maxConnections === undefined ? {} : { maxConnections: base.maxConnections }),
  };
}

export function sshTargetOf(node: InventoryNode, configFile = join(homedir(), '.ssh', 'config')): SshTarget {
  const config = userConfig(configFile);
  const computed: Computed = config === undefined ? {} : config.compute(node.name, { ignoreCase: true });
  const hostName = first(computed['hostname']);
  const identity = node.ssh.identity ?? (first(computed['identityfile']) === undefined ? undefined : expandHome(first(computed['identityfile']) as string));
  const knownHosts = node.ssh.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
  const base: SshTarget = {
    name: node.name,
    host: node.address || hostName || node.name,
    port: node.ssh.port === 22 && computed['port'] !== undefined ? Number(first(computed['port'])) : node.ssh.port,
    user: node.ssh.user === 'root' && computed['user'] !== undefined ? (first(computed['user']) as string) : node.ssh.user,
    ...(identity === undefined ? {} : { identity }),
    knownHosts,
    hostKey: node.ssh.hostKey,
    ...(node.ssh.kex === undefined ? {} : { kex: node.ssh.kex }),
    ...(node.ssh.maxConnections === undefined ? {} : { maxConnections: node.ssh.maxConnections }),
  };
  const proxy = first(computed['proxyjump']);
  return proxy === undefined || proxy === 'none' ? base : { ...base, jump: jumpTarget(proxy, base, config) };
}
