/**
 * `npm run bench`: prints the engine's figures, then the lab's when it can run here (root, the lab's packages
 * installed; `--no-lab` leaves them out), one `name value` line each. `--only GROUP` runs one group.
 */
import { existsSync, rmSync } from 'node:fs';
import { postgresBin } from '../test/helpers/postgres-server.js';
import { benchCliStart, benchPlan, benchResume, benchSteps, benchWorkDir, benchYamlParsers } from './engine.js';

function print(figures: Record<string, number>): void {
  for (const [name, value] of Object.entries(figures)) {
    console.log(`${name.padEnd(44)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
  }
}

/** Why the lab's figures cannot be taken here, or undefined when they can. */
function labSkipped(): string | undefined {
  if (process.argv.includes('--no-lab')) return '--no-lab';
  if (process.getuid?.() !== 0) return 'the lab needs root';
  if (!['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((p) => existsSync(p))) return 'no dockerd: run scripts/setup.sh first';
  return undefined;
}

/** Why the PostgreSQL store's figures cannot be taken here, or undefined when they can. */
function postgresSkipped(): string | undefined {
  if (process.argv.includes('--no-postgres')) return '--no-postgres';
  if (postgresBin() === undefined) return 'no PostgreSQL server programs: run scripts/setup.sh --tests first';
  return undefined;
}

const GROUPS = ['engine', 'run-store', 'lab', 'ssh', 'fanout', 'procedures', 'ansible'];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : process.argv[onlyAt + 1];
if (onlyAt >= 0 && (only === undefined || !GROUPS.includes(only))) {
  console.error(`bench: --only takes one of ${GROUPS.join(', ')}, not ${only ?? 'nothing'}; write e.g. --only ansible`);
  process.exit(2);
}
const wanted = (group: string): boolean => only === undefined || only === group;

const dir = benchWorkDir();
try {
  if (wanted('engine')) {
    print(await benchPlan(dir));
    print(await benchSteps(dir));
    print(await benchResume(dir));
    print({ peak_rss_mib: process.resourceUsage().maxRSS / 1024 });
    print(benchYamlParsers());
    print(await benchCliStart(dir));
  }
  const postgres = postgresSkipped();
  if (!wanted('run-store')) {
    // another group was asked for
  } else if (postgres !== undefined) {
    console.log(`postgres figures skipped: ${postgres}`);
  } else {
    const { benchRunStore } = await import('./run-store.js');
    print(await benchRunStore(dir));
  }
  const lab = labSkipped();
  if (lab !== undefined) {
    console.log(`lab figures skipped: ${lab}`);
  } else {
    const { benchLab } = await import('./lab.js');
    if (wanted('lab')) print(await benchLab());
    const { benchSsh } = await import('./ssh.js');
    if (wanted('ssh')) print(await benchSsh());
    if (wanted('fanout')) print(await (await import('./fanout.js')).benchFanout());
    const { benchProcedures } = await import('./procedures.js');
    if (wanted('procedures')) print(await benchProcedures());
    if (wanted('ansible')) await (await import('./ansible.js')).benchAnsible(print);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
