/**
 * The written `docker:` of an inventory to an endpoint, with the checks the schema cannot express: exactly one
 * way to reach the API, `tls` only beside a `host`, the TLS files readable, and plain TCP to a remote address
 * only when `tls: false` says so — an open Engine API port is root on that machine for anyone who reaches it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { diagnostic } from '../dsl/diagnostics.js';
import type { Diagnostic, SourceRef } from '../dsl/diagnostics.js';
import type { DataPath } from '../dsl/positions.js';
import type { DockerEndpoint, DockerTls } from './types.js';

export interface WrittenTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}
export interface WrittenDocker {
  readonly socket?: string;
  readonly host?: string;
  readonly via?: 'ssh';
  /** The files to verify the daemon and present ourselves with; `false` accepts plain TCP. */
  readonly tls?: WrittenTls | boolean;
}

export const DEFAULT_DOCKER: DockerEndpoint = { type: 'socket', socket: '/var/run/docker.sock' };

const WAYS = ['socket', 'host', 'via'] as const;
const TLS_FILES = ['ca', 'cert', 'key'] as const;
const TLS_HINT = 'add `tls: { ca: ca.pem, cert: cert.pem, key: key.pem }` (the daemon runs with --tlsverify), or `tls: false` to accept plain TCP';

/** `written` sits at `at` (`['defaults', 'docker']` or `['nodes', i, 'docker']`); `path` resolves `~` and relative paths. */
export function dockerEndpoint(
  written: WrittenDocker,
  at: DataPath,
  src: { at(path: DataPath): SourceRef; atKey(path: DataPath): SourceRef },
  path: (p: string) => string,
): { value?: DockerEndpoint; diagnostics: Diagnostic[] } {
  const ways = WAYS.filter((k) => written[k] !== undefined);
  if (ways.length !== 1) {
    return fail(
      diagnostic(
        'RB_BAD_VALUE',
        src.at(at),
        `docker must have exactly one of ${WAYS.join(', ')}${ways.length === 0 ? '' : `, not ${ways.join(' and ')}`}`,
        `keep one of ${WAYS.map((k) => `\`${k}:\``).join(', ')}`,
      ),
    );
  }
  if (written.tls !== undefined && written.host === undefined) {
    return fail(
      diagnostic('RB_BAD_VALUE', src.atKey([...at, 'tls']), '`tls` applies to `host:` only', 'remove `tls:`, or reach the daemon with `host: tcp://ADDRESS:2376`'),
    );
  }
  if (written.socket !== undefined) return { value: { type: 'socket', socket: written.socket }, diagnostics: [] };
  if (written.host === undefined) return { value: { type: 'ssh' }, diagnostics: [] };
  const host = written.host;
  const address = tcpAddress(host);
  if (address === undefined) {
    return fail(diagnostic('RB_BAD_VALUE', src.at([...at, 'host']), `docker host "${host}" is not tcp://ADDRESS:PORT`, 'write e.g. `host: tcp://10.0.0.1:2376` (`{address}` and `{node}` stand for the node\'s)'));
  }
  const tls = written.tls;
  if (tls === false) return { value: { type: 'tcp', host }, diagnostics: [] };
  if (tls === true) {
    return fail(
      diagnostic('RB_BAD_VALUE', src.at([...at, 'tls']), '`tls: true` does not say which certificates to use', 'write `tls: { ca: ca.pem, cert: cert.pem, key: key.pem }`, or `tls: false` for plain TCP'),
    );
  }
  if (tls === undefined) {
    if (isLoopback(address.hostname)) return { value: { type: 'tcp', host }, diagnostics: [] };
    return fail(
      diagnostic(
        'RB_INV_PLAIN_TCP',
        src.at([...at, 'host']),
        `docker host "${host}" is plain TCP to a remote address: anyone who reaches that port controls the daemon, unencrypted`,
        TLS_HINT,
      ),
    );
  }
  const diagnostics: Diagnostic[] = [];
  const files = {} as { -readonly [K in keyof DockerTls]: string };
  for (const k of TLS_FILES) {
    files[k] = path(tls[k]);
    const problem = unreadable(files[k]);
    if (problem !== undefined) {
      diagnostics.push(
        diagnostic('RB_FILE_NOT_FOUND', src.at([...at, 'tls', k]), `tls.${k}: cannot read ${files[k]} (${problem})`, `write the path of the ${TLS_WHAT[k]}; relative paths start at the inventory file`),
      );
    }
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { type: 'tcp', host, tls: files }, diagnostics };
}

const TLS_WHAT: Readonly<Record<(typeof TLS_FILES)[number], string>> = {
  ca: 'CA certificate (PEM) that signed the daemon\'s certificate',
  cert: 'client certificate (PEM) the daemon\'s CA signed',
  key: 'client certificate\'s private key (PEM)',
};

function fail(d: Diagnostic): { diagnostics: Diagnostic[] } {
  return { diagnostics: [d] };
}

/** `tcp://HOST[:PORT]` (also `HOST:PORT`, and `http://` as docker-modem reads it) → its host name. */
export function tcpAddress(host: string): { hostname: string; port: string } | undefined {
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'tcp:' && url.protocol !== 'http:') || url.hostname === '') return undefined;
  if (url.pathname !== '' && url.pathname !== '/') return undefined;
  return { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? '2375' : url.port };
}

/** 127.0.0.0/8, ::1 and `localhost`: traffic that never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function unreadable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'not a file';
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
  }
}
