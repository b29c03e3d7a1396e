/**
 * HTTP over SSH for the Docker API, the way the docker CLI does it: each HTTP connection is a
 * `docker system dial-stdio` channel on the node. Unlike docker-modem's own ssh transport (a new SSH
 * handshake per request, and an invalid `ssh:` URL that makes Node print a deprecation warning), all
 * channels to a node share one SSH connection, with the host key checked against known_hosts.
 */
import type { ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig } from 'ssh2';
import { onFirstUse } from '../../on-first-use.js';
import type { SshTarget } from '../ports.js';
import { QuietAgent } from './quiet-agent.js';

const ssh2 = onFirstUse<typeof import('ssh2')>('ssh2');

/** The last thing that went wrong on the SSH side, for the error message of the HTTP call. */
export interface SshProblemSlot {
  dialError?: string;
}

export class SshDialAgent extends QuietAgent {
  readonly #target: SshTarget;
  readonly #config: ConnectConfig;
  readonly #slot: SshProblemSlot;
  #client: Promise<Client> | undefined;

  constructor(target: SshTarget, config: ConnectConfig, slot: SshProblemSlot) {
    // Channels beyond sshd's MaxSessions (10 by default) would be refused.
    super({ keepAlive: false, maxSockets: 6 });
    this.#target = target;
    this.#config = config;
    this.#slot = slot;
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    this.#connected()
      .then((client) => {
        client.exec('docker system dial-stdio', (err, stream) => {
          if (err !== undefined && err !== null) {
            done(err, undefined as unknown as Duplex);
            return;
          }
          let stderr = '';
          stream.stderr.on('data', (chunk: Buffer) => {
            stderr = (stderr + chunk.toString('utf8')).slice(-500);
            this.#slot.dialError = stderr.trim();
          });
          done(null, stream);
        });
      })
      .catch((err: Error) => done(err, undefined as unknown as Duplex));
    return undefined;
  }

  #connected(): Promise<Client> {
    if (this.#client !== undefined) return this.#client;
    const client = new (ssh2().Client)();
    const connecting = new Promise<Client>((resolve, reject) => {
      client.once('ready', () => resolve(client));
      client.once('error', reject);
      client.connect({ ...this.#config, host: this.#target.host, port: this.#target.port, username: this.#target.user });
    });
    this.#client = connecting;
    const forget = (): void => {
      if (this.#client === connecting) this.#client = undefined;
    };
    connecting.then(() => client.on('error', forget), forget);
    client.on('close', forget);
    return connecting;
  }

  override destroy(): void {
    super.destroy();
    const client = this.#client;
    this.#client = undefined;
    client?.then((c) => c.end(), () => undefined);
  }
}
