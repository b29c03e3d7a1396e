/**
 * Which run store a command uses: a `postgres://` or `postgresql://` URL selects PostgreSQL; anything
 * else is refused, and no URL means the file store in the state directory.
 */
import { RunbookError } from '../errors.js';
import { FileRunStore } from './file-store.js';
import { isPostgresUrl } from './postgres/location.js';
import type { RunStore } from './run-store.js';

export interface StoreLocation {
  /** `--state URL` (else `$RUNBOOK_STATE`): a PostgreSQL URL, or undefined for the file store. */
  readonly url?: string;
  /** The local state directory: the file store's home, and where runs' files go with any store. */
  readonly stateDir: string;
}

export async function openRunStore(location: StoreLocation): Promise<RunStore> {
  const url = location.url;
  if (url === undefined || url === '') return new FileRunStore(location.stateDir);
  // Loaded on demand: one operator's file store never pays for the database driver.
  if (isPostgresUrl(url)) return (await import('./postgres/store.js')).PostgresRunStore.open(url, location.stateDir);
  throw new RunbookError(
    'STORE',
    `--state takes a PostgreSQL URL (postgresql://USER@HOST:PORT/DATABASE); for the file store give a directory with --state-dir instead`,
  );
}
