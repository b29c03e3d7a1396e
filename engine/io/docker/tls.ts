/**
 * The Engine API over TLS: the inventory's PEM files read when the node is first called (so a file that went
 * missing since the inventory loaded is named, not a stack trace), and the handshake's failures as one line that names the node and the file or certificate to fix.
 */
import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import { RunbookError } from '../../errors.js';
import type { DockerTls } from '../../inventory/types.js';

const WHAT: Readonly<Record<keyof DockerTls, string>> = { ca: 'CA certificate', cert: 'client certificate', key: 'client key' };

/**
 * The files as TLS options: only `ca` is trusted for the daemon (not the system's CAs), and the daemon's
 * certificate must name the address of the host URL.
 */
export function readTlsFiles(node: string, tls: DockerTls): Pick<AgentOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  const read = (k: keyof DockerTls): Buffer => {
    try {
      return readFileSync(tls[k]);
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new RunbookError('AUTH', `${node}: cannot read the Docker TLS ${WHAT[k]} ${tls[k]} (${reason}); fix docker.tls.${k} in the inventory`);
    }
  };
  const files = { ca: read('ca'), cert: read('cert'), key: read('key') };
  try {
    createSecureContext(files);
  } catch (e) {
    throw new RunbookError('AUTH', `${node}: the Docker TLS files ${tls.cert} and ${tls.key} cannot be used (${reason(e)}); ${fileHint(e)}`);
  }
  return { ...files, rejectUnauthorized: true };
}

function reason(e: unknown): string {
  const message = (e as Error).message ?? String(e);
  // OpenSSL's "error:05800074:x509 certificate routines::key values mismatch" → its last part.
  return message.split('::').pop()?.trim() ?? message;
}

function fileHint(e: unknown): string {
  if (/key values mismatch/.test((e as Error).message ?? '')) return 'tls.key must be the private key of tls.cert';
  return 'tls.ca and tls.cert must be PEM certificates and tls.key a PEM private key without a passphrase';
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

const CLIENT_REFUSED = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

/**
 * A TLS failure talking to `endpoint`, or undefined when `e` is none. `tls` is undefined when we spoke plain
 * HTTP (`tls: false`).
 */
export function tlsProblem(
  e: { readonly code?: string; readonly message?: string; readonly reason?: string; readonly statusCode?: number },
  node: string,
  endpoint: string,
  tls: DockerTls | undefined,
): RunbookError | undefined {
  const message = e.message ?? '';
  if (tls === undefined) {
    if (e.statusCode === 400 && /HTTP request to an HTTPS server/i.test(message + JSON.stringify((e as { json?: unknown }).json ?? ''))) {
      return new RunbookError('AUTH', `${node}: the Docker API at ${endpoint} speaks TLS; write docker.tls: { ca, cert, key } in the inventory instead of tls: false`);
    }
    return undefined;
  }
  const code = e.code ?? '';
  const at = `the Docker API at ${endpoint}`;
  if (UNTRUSTED.has(code)) {
    return new RunbookError('HOST_KEY', `${node}: the daemon's certificate is not signed by ${tls.ca} (${code}); set docker.tls.ca to the CA that signed the daemon's --tlscert`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RunbookError(
      'HOST_KEY',
      `${node}: the daemon's certificate does not name the address of ${endpoint} (${e.reason ?? message}); give the daemon a certificate with that address in its subjectAltName, or write the host as the certificate names it`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new RunbookError('HOST_KEY', `${node}: the daemon's certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'} (${at}); renew it, or check this machine's clock`);
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') {
    return new RunbookError('AUTH', `${node}: ${at} requires a client certificate and got none; set docker.tls.cert and docker.tls.key`);
  }
  if (CLIENT_REFUSED.has(code)) {
    return new RunbookError('AUTH', `${node}: ${at} refused the client certificate ${tls.cert} (${code}); it must be signed by the CA the daemon trusts (its --tlscacert)`);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new RunbookError('AUTH', `${node}: ${at} does not speak TLS (${code}); start dockerd with --tlsverify, or write tls: false for a plain-TCP daemon`);
  }
  return undefined;
}
