/**
 * OpenSSH known_hosts: plain and hashed (`|1|salt|hash`) host patterns, `[host]:port` entries,
 * `@revoked` markers. Host keys are compared as raw key blobs, as OpenSSH does.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface KnownHostEntry {
  readonly patterns: readonly string[];
  readonly hashed?: { readonly salt: Buffer; readonly hash: Buffer };
  readonly keyType: string;
  readonly key: Buffer;
  readonly revoked: boolean;
}

export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') continue; // certificates are not used by this tool
      revoked = marker === '@revoked';
    }
    const [hosts, keyType, keyB64] = fields;
    if (hosts === undefined || keyType === undefined || keyB64 === undefined) continue;
    const key = Buffer.from(keyB64, 'base64');
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (salt === undefined || hash === undefined) continue;
      entries.push({ patterns: [], hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }, keyType, key, revoked });
    } else {
      entries.push({ patterns: hosts.split(','), keyType, key, revoked });
    }
  }
  return entries;
}

/** The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(name);
}

function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed !== undefined) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.equals(entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** Checks a presented key against every entry for any of the host's names. */
export function verifyHostKey(entries: readonly KnownHostEntry[], names: readonly string[], key: Buffer): HostKeyVerdict {
  let sawHost = false;
  for (const entry of entries) {
    if (!names.some((n) => entryMatches(entry, n))) continue;
    if (entry.revoked && entry.key.equals(key)) return 'revoked';
    if (entry.revoked) continue;
    sawHost = true;
    if (entry.key.equals(key)) return 'match';
  }
  return sawHost ? 'mismatch' : 'unknown';
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The key type stored at the start of an SSH public key blob. */
export function keyTypeOf(key: Buffer): string {
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString('ascii');
}

export function readKnownHosts(file: string): KnownHostEntry[] {
  return existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : [];
}

/** `host_key: accept-new`: records a first-seen key, as `StrictHostKeyChecking=accept-new` does. */
export function appendKnownHost(file: string, name: string, key: Buffer): void {
  appendFileSync(file, `${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
