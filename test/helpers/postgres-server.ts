/**
 * A throw-away PostgreSQL server for tests and the benchmark: `initdb` in a temporary directory, started
 * with `pg_ctl` as an unprivileged user (`postgres` when run as root), on a loopback port and a unix socket
 * in that directory. Password authentication everywhere, so a wrong password is refused as in production.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  readonly dir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgresql://user:password@127.0.0.1:port/database`. */
  readonly url: string;
  /** The same server through its unix socket (reachable from any network namespace of this machine). */
  readonly socketUrl: string;
  stop(): void;
  start(): void;
  /** Stops the server and removes its directory. */
  destroy(): void;
  /** `pg_dump` of the database, as text. */
  dump(): string;
  /** Runs SQL through psql (in `database`, else the server's) and returns its unaligned output, trimmed. */
  sql(query: string, database?: string): string;
}

const PASSWORD = 'pg-test-password-5c1d';

/** Where Debian puts the server's programs (they are not on PATH). */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPostgres(options: { database?: string } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed: run `sh scripts/setup.sh --tests` first');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-pg-'));
  const data = join(dir, 'data');
  const user = 'runbook';
  const database = options.database ?? 'runbook';
  const port = await freePort();
  writeFileSync(join(dir, 'pwfile'), `${PASSWORD}\n`, { mode: 0o600 });
  const as = (cmd: string, args: string[]): string => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
    const r = spawnSync(full[0], full[1], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  if (asRoot) {
    const pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const pgGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, pgUid, pgGid);
    chownSync(join(dir, 'pwfile'), pgUid, pgGid);
    // Other users (the runner when it drops privileges, a second host's namespace) reach the socket.
    chmodSync(dir, 0o755);
  }
  as(join(bin, 'initdb'), ['-D', data, '-U', user, `--pwfile=${join(dir, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-instructions']);
  const start = (): void => {
    as(join(bin, 'pg_ctl'), [
      '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200`,
      'start',
    ]);
  };
  const stop = (): void => {
    as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  start();
  const env = { ...process.env, PGPASSWORD: PASSWORD };
  const psql = (db: string, query: string): string =>
    execFileSync(join(bin, 'psql'), ['-X', '-q', '-A', '-t', '-h', dir, '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (database !== 'postgres') psql('postgres', `CREATE DATABASE ${database}`);
  let running = true;
  return {
    dir,
    port,
    user,
    password: PASSWORD,
    database,
    url: `postgresql://${user}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    socketUrl: `postgresql://${user}:${PASSWORD}@/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
    stop() {
      if (!running) return;
      stop();
      running = false;
    },
    start() {
      if (running) return;
      start();
      running = true;
    },
    destroy() {
      try {
        if (running) stop();
      } finally {
        running = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
    dump() {
      return execFileSync(join(bin, 'pg_dump'), ['-h', dir, '-p', String(port), '-U', user, '-d', database], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
    },
    sql(query: string, db = database) {
      return psql(db, query).trim();
    },
  };
}
