/**
 * A host's variables → the native node's fields: `ansible_host` → address, `ansible_user` / `ansible_port` /
 * `ansible_ssh_private_key_file` → ssh, `-o UserKnownHostsFile=…` and `-o StrictHostKeyChecking=…` in
 * `ansible_ssh_common_args` / `ansible_ssh_extra_args` → ssh known_hosts and host_key, `docker_host` (as
 * the community.docker collection names it) → docker, `swarm_labels` → labels. Other variables are the
 * playbooks' business and are skipped; an `ansible_*` variable about connecting that runbook does not
 * follow is reported as a warning, because the node may then be reached differently than by Ansible.
 */
import { parse as parseYamlValue } from 'yaml';
import { diagnostic } from '../../dsl/diagnostics.js';
import type { Diagnostic } from '../../dsl/diagnostics.js';
import { isLoopback, tcpAddress } from '../docker.js';
import type { WrittenDocker, WrittenSsh } from '../normalize.js';
import { formatName } from './model.js';
import type { AnsibleFormat, AnsibleVar } from './model.js';

export interface NodeSettings {
  readonly address: string;
  readonly ssh: WrittenSsh;
  readonly docker?: WrittenDocker;
  readonly labels?: Readonly<Record<string, string | number | boolean>>;
}

/** A variable runbook does not follow, for one warning per name. */
export interface Unfollowed {
  readonly name: string;
  readonly at: AnsibleVar;
  /** What is not followed, e.g. `ansible_password is ignored: …`. */
  readonly what: string;
  readonly hint: string;
}

/** Read elsewhere (role, cluster) or mapped here. */
export const RUNBOOK_VARS = ['swarm_role', 'swarm_cluster', 'swarm_labels', 'docker_host'];

/** `ansible_*` variables that concern only what Ansible runs on a node, not how it is reached: skipped quietly. */
const QUIET = /^ansible_(python_interpreter|\w+_interpreter|become(_\w+)?|shell_\w+|module_\w+|facts\w*|group_priority|pipelining|ssh_pipelining|timeout|ssh_timeout|connection_timeout|ssh_retries|ssh_executable|scp_if_ssh|sftp_batch_mode|scp_extra_args|sftp_extra_args)$/;

const CONNECTIONS = ['ssh', 'smart', 'paramiko', 'paramiko_ssh'];

export function nodeSettings(
  format: AnsibleFormat,
  host: string,
  vars: ReadonlyMap<string, AnsibleVar>,
): { settings?: NodeSettings; diagnostics: Diagnostic[]; unfollowed: Unfollowed[] } {
  const prefix = formatName(format);
  const diagnostics: Diagnostic[] = [];
  const unfollowed: Unfollowed[] = [];
  const bad = (v: AnsibleVar, name: string, message: string, hint: string) =>
    diagnostics.push(diagnostic('RB_INV_ANSIBLE_VAR', v.source, `${prefix}: host "${host}": ${name} ${message}`, hint));
  const pick = (...names: string[]): { name: string; v: AnsibleVar } | undefined => {
    for (const name of names) {
      const v = vars.get(name);
      if (v !== undefined) return { name, v };
    }
    return undefined;
  };
  const text = (name: string, v: AnsibleVar): string | undefined => {
    if ((typeof v.value === 'string' && v.value.trim() !== '') || typeof v.value === 'number') return String(v.value).trim();
    bad(v, name, `is ${describe(v.value)}`, `write ${name}=VALUE with a non-empty value`);
    return undefined;
  };

  const ssh: { -readonly [K in keyof WrittenSsh]: WrittenSsh[K] } = {};
  const addressVar = pick('ansible_host', 'ansible_ssh_host');
  const address = addressVar === undefined ? host : text(addressVar.name, addressVar.v);
  const user = pick('ansible_user', 'ansible_ssh_user');
  if (user !== undefined) {
    const u = text(user.name, user.v);
    if (u !== undefined) ssh.user = u;
  }
  const port = pick('ansible_port', 'ansible_ssh_port');
  if (port !== undefined) {
    const p = typeof port.v.value === 'number' || typeof port.v.value === 'string' ? String(port.v.value).trim() : '';
    if (/^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535) ssh.port = Number(p);
    else bad(port.v, port.name, `is ${describe(port.v.value)}, not a port`, `write ${port.name}=PORT with a whole number from 1 to 65535`);
  }
  const key = pick('ansible_ssh_private_key_file', 'ansible_private_key_file');
  if (key !== undefined) {
    const k = text(key.name, key.v);
    if (k !== undefined) ssh.identity = k;
  }
  for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const v = vars.get(name);
    if (v === undefined) continue;
    const read = sshArgs(String(v.value ?? ''));
    if (read.knownHosts !== undefined) ssh.known_hosts = read.knownHosts;
    if (read.hostKey !== undefined) ssh.host_key = read.hostKey;
    if (read.unfollowed.length > 0) {
      unfollowed.push({
        name,
        at: v,
        what: `${name} has ${read.unfollowed.join(' ')}, which runbook ignores (of ssh options it follows only UserKnownHostsFile and StrictHostKeyChecking)`,
        hint: 'put other ssh options in ~/.ssh/config, which runbook honours',
      });
    }
    if (read.loosened) {
      unfollowed.push({
        name,
        at: v,
        what: `${name} has StrictHostKeyChecking=no, taken as accept-new: unknown host keys are recorded, a changed one is still refused`,
        hint: 'write -o StrictHostKeyChecking=accept-new to say so',
      });
    }
  }
  let docker: WrittenDocker | undefined;
  const dockerVar = vars.get('docker_host');
  if (dockerVar !== undefined) {
    docker = dockerEndpoint(String(dockerVar.value ?? '').trim());
    if (docker === undefined) {
      bad(dockerVar, 'docker_host', `"${String(dockerVar.value)}" is not unix://PATH, tcp://ADDRESS:PORT or ssh://HOST`, 'write e.g. docker_host=unix:///var/run/docker.sock');
    } else if (docker.host !== undefined && !isLoopback(tcpAddress(docker.host)?.hostname ?? '')) {
      // An Ansible inventory has no place for the TLS files, and a remote plain-TCP daemon is open to anyone.
      bad(
        dockerVar,
        'docker_host',
        `"${docker.host}" is plain TCP to a remote address, and TLS files cannot be given in an Ansible inventory`,
        'reach the daemon with docker_host=ssh://HOST, or convert with `runbook inventory import` and add `tls: { ca, cert, key }` (or `tls: false`) to the node\'s `docker:`',
      );
    }
  }
  let labels: Record<string, string | number | boolean> | undefined;
  const labelsVar = vars.get('swarm_labels');
  if (labelsVar !== undefined) {
    labels = labelMap(labelsVar.value);
    if (labels === undefined) {
      bad(labelsVar, 'swarm_labels', 'is not a mapping of label names to values', 'write e.g. swarm_labels="{function: production, rack: 3}"');
    }
  }
  for (const [name, v] of vars) {
    if (!name.startsWith('ansible_') || QUIET.test(name) || MAPPED.has(name)) continue;
    if (name === 'ansible_connection') {
      if (!CONNECTIONS.includes(String(v.value))) {
        unfollowed.push({ name, at: v, what: `ansible_connection=${String(v.value)} is ignored: runbook reaches every node over SSH`, hint: 'remove it, or keep this host out of the inventory runbook reads' });
      }
      continue;
    }
    unfollowed.push(
      /pass(word)?$/.test(name)
        ? { name, at: v, what: `${name} is ignored: runbook logs in with keys, never with passwords`, hint: 'give ansible_ssh_private_key_file, or load the key into ssh-agent' }
        : { name, at: v, what: `${name} is ignored: runbook does not use it`, hint: 'see docs/inventory-ansible.md for the variables runbook reads' },
    );
  }
  if (diagnostics.length > 0 || address === undefined) return { diagnostics, unfollowed };
  return {
    settings: { address, ssh, ...(docker === undefined ? {} : { docker }), ...(labels === undefined ? {} : { labels }) },
    diagnostics,
    unfollowed,
  };
}

const MAPPED = new Set([
  'ansible_host', 'ansible_ssh_host', 'ansible_user', 'ansible_ssh_user', 'ansible_port', 'ansible_ssh_port',
  'ansible_ssh_private_key_file', 'ansible_private_key_file', 'ansible_ssh_common_args', 'ansible_ssh_extra_args',
]);

function describe(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'empty';
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `"${String(value)}"`;
}

/** `unix:///path` → socket, `tcp://…` → host, `ssh://…` → through SSH (with the node's own ssh settings). */
function dockerEndpoint(url: string): WrittenDocker | undefined {
  if (url.startsWith('unix://') && url.length > 'unix://'.length) return { socket: url.slice('unix://'.length) };
  if (/^tcp:\/\/\S+$/.test(url)) return { host: url };
  if (/^ssh:\/\/\S+$/.test(url)) return { via: 'ssh' };
  return undefined;
}

/** A YAML mapping, or (from INI) a string holding one in flow style. */
function labelMap(value: unknown): Record<string, string | number | boolean> | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = parseYamlValue(v);
    } catch {
      return undefined;
    }
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.every(([, x]) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return undefined;
  return Object.fromEntries(entries) as Record<string, string | number | boolean>;
}

/** The `-o` options of ssh arguments that have a native equivalent; the rest, as written, to be reported. */
function sshArgs(args: string): { knownHosts?: string; hostKey?: 'strict' | 'accept-new'; loosened: boolean; unfollowed: string[] } {
  const words = args.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^(["'])(.*)\1$/, '$2')) ?? [];
  const out: { knownHosts?: string; hostKey?: 'strict' | 'accept-new'; loosened: boolean; unfollowed: string[] } = { loosened: false, unfollowed: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    let option: string | undefined;
    if (word === '-o') option = words[++i];
    else if (word.startsWith('-o')) option = word.slice(2);
    const m = option === undefined ? null : /^\s*(\w+)\s*[= ]\s*(.+?)\s*$/.exec(option);
    const name = m?.[1]?.toLowerCase();
    const value = m?.[2] ?? '';
    if (name === 'userknownhostsfile') out.knownHosts = value.split(/\s+/)[0] as string;
    else if (name === 'stricthostkeychecking' && ['yes', 'true'].includes(value.toLowerCase())) out.hostKey = 'strict';
    else if (name === 'stricthostkeychecking' && value.toLowerCase() === 'accept-new') out.hostKey = 'accept-new';
    else if (name === 'stricthostkeychecking' && ['no', 'off', 'false'].includes(value.toLowerCase())) {
      out.hostKey = 'accept-new';
      out.loosened = true;
    } else out.unfollowed.push(option === undefined ? word : `-o ${option}`);
  }
  return out;
}
