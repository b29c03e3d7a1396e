/**
 * `runbook state copy --from DIR|URL --to URL|DIR`: moves runs between stores (a state directory's files
 * into the team's PostgreSQL, say). Idempotent: a second copy adds only what is new.
 */
import { resolve } from 'node:path';
import { copyRuns, openRunStore, type RunStore } from '../index.js';
import { isPostgresUrl } from '../journal/postgres/location.js';
import { EXIT } from './exit-codes.js';
import { say, type CliIo } from './io.js';

function open(io: CliIo, where: string): Promise<RunStore> {
  return openRunStore(isPostgresUrl(where) ? { url: where, stateDir: resolve(io.cwd, '.runbook') } : { stateDir: resolve(io.cwd, where) });
}

export async function stateCopyCommand(io: CliIo, options: { from: string; to: string; json: boolean }): Promise<number> {
  const from = await open(io, options.from);
  let to: RunStore;
  try {
    to = await open(io, options.to);
  } catch (e) {
    await from.close();
    throw e;
  }
  let problems = 0;
  try {
    const copied = await copyRuns(from, to, (c) => {
      if (c.problem !== undefined) problems += 1;
      if (options.json) io.stdout.write(JSON.stringify(c) + '\n');
      else if (c.problem !== undefined) say(io, `skipped ${c.runId}: ${c.problem}`);
      else say(io, c.added === 0 ? `${c.runId}: already there` : `${c.runId}: ${c.added} record${c.added === 1 ? '' : 's'} copied`);
    });
    const added = copied.filter((c) => c.added > 0).length;
    if (!options.json) say(io, `${copied.length} run${copied.length === 1 ? '' : 's'} in ${from.label}: ${added} copied or brought up to date into ${to.label}, ${problems} skipped`);
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
  return problems > 0 ? EXIT.failed : EXIT.ok;
}
