/**
 * A library loaded when it is first needed, not when the process starts. Loading ssh2, docker-modem,
 * listr2 or diff costs a process 10–50 ms each; a command that opens no SSH connection, speaks to no
 * Docker daemon, draws no progress or shows no diff should not pay for them. The packages named here ship
 * CommonJS, so they load synchronously where they are used.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter that loads the package `id` on its first call and returns the same module after. */
export function onFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
