/**
 * A PostgreSQL store URL: recognised by its scheme, checked before any connection, and named in
 * messages without its password.
 */
import { RunbookError } from '../../errors.js';
import { onFirstUse } from '../../on-first-use.js';

const connectionString = onFirstUse<typeof import('pg-connection-string')>('pg-connection-string');

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

export interface PostgresLocation {
  /** The URL as given, password included: only ever passed to the driver. */
  readonly url: string;
  /** The URL without its password, for messages: `postgresql://ops@db:5432/runbook`. */
  readonly label: string;
  /** The password, when the URL has one: masked out of any message the driver writes. */
  readonly password?: string;
}

const HOW = 'write postgresql://USER@HOST:PORT/DATABASE (the password from PGPASSWORD or ~/.pgpass, or as USER:PASSWORD@), ' +
  'or postgresql://USER@/DATABASE?host=/run/postgresql for a unix socket';

export function parsePostgresUrl(text: string): PostgresLocation {
  let parts: ReturnType<typeof import('pg-connection-string').parse>;
  try {
    parts = connectionString().parse(text);
  } catch {
    throw new RunbookError('STORE', `the run store URL is not a valid URL; ${HOW}`);
  }
  const host = parts.host ?? '';
  const socket = host.startsWith('/');
  const label = `postgresql://${parts.user === undefined || parts.user === '' ? '' : `${parts.user}@`}` +
    `${socket ? '' : host}${parts.port === undefined || parts.port === '' || parts.port === null ? '' : socket ? '' : `:${parts.port}`}` +
    `/${parts.database ?? ''}${socket ? `?host=${host}${parts.port ? `&port=${parts.port}` : ''}` : ''}`;
  if (parts.database === null || parts.database === undefined || parts.database === '') {
    throw new RunbookError('STORE', `the run store URL ${label} names no database; ${HOW}`);
  }
  const password = parts.password === undefined || parts.password === '' ? undefined : parts.password;
  return { url: text, label, ...(password === undefined ? {} : { password }) };
}

/** A message with the URL and password taken out, whatever wrote it. */
export function withoutPassword(message: string, location: PostgresLocation): string {
  const out = message.split(location.url).join(location.label);
  const secret = location.password;
  if (secret === undefined) return out;
  return out.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
}
