/**
 * A lab node can serve its Engine API over TLS as well, the way a cluster reached without SSH does: when its
 * directory holds `tls/ca.pem`, `tls/cert.pem` and `tls/key.pem` at boot, its dockerd also listens on
 * tcp://ADDRESS:2376 with --tlsverify (clients need a certificate signed by that CA). The files are the
 * operator's: the lab reads them, never makes them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LabNodeRecord } from './state.js';

export const DOCKER_TLS_PORT = 2376;

export interface DaemonTlsFiles {
  /** The CA client certificates must be signed by. */
  readonly ca: string;
  /** The daemon's certificate; its subjectAltName should hold the node's address. */
  readonly cert: string;
  readonly key: string;
}

export function daemonTlsFiles(node: Pick<LabNodeRecord, 'dir'>): DaemonTlsFiles {
  const dir = join(node.dir, 'tls');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

/** dockerd's extra flags for the TLS listener; none unless all three files are there. */
export function tlsListenerArgs(node: Pick<LabNodeRecord, 'dir' | 'address'>): string[] {
  const files = daemonTlsFiles(node);
  if (![files.ca, files.cert, files.key].every((f) => existsSync(f))) return [];
  return [
    `--host=tcp://${node.address}:${DOCKER_TLS_PORT}`,
    '--tlsverify',
    `--tlscacert=${files.ca}`,
    `--tlscert=${files.cert}`,
    `--tlskey=${files.key}`,
  ];
}
