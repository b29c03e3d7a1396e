/**
 * `runbook lab up|down|status|power` and `runbook drill`. The lab is loaded only by these commands:
 * the runner never imports it.
 */
import { subRunbookFile } from '../dsl/sub-runbook-file.js';
import type { Runbook } from '../dsl/types.js';
import { labDifferences, type LabDifference } from '../lab/differences.js';
import { EXIT } from './exit-codes.js';
import { say, type CliIo, type CommonOptions } from './io.js';
import { loadInventoryFor, loadRunbookFor, inputsFor } from './load.js';
import { stateDirFrom, storeFrom } from './paths.js';

export interface LabOptions {
  readonly name: string;
  readonly dir?: string;
  readonly stateDir?: string;
  readonly json: boolean;
}

function target(io: CliIo, o: LabOptions): { name: string; dir?: string; stateDir: string } {
  return { name: o.name, ...(o.dir === undefined ? {} : { dir: o.dir }), stateDir: stateDirFrom(o.stateDir, io.env, io.cwd) };
}

function positive(io: CliIo, flag: string, value: string): number | undefined {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    say(io, `error: ${flag} ${value}: write a whole number ≥ 1, e.g. ${flag} 3`);
    return undefined;
  }
  return n;
}

export async function labUpCommand(
  io: CliIo,
  o: LabOptions & { nodes: string; managers: string; swarm: boolean; registry: boolean; light: boolean },
): Promise<number> {
  const nodes = positive(io, '--nodes', o.nodes);
  const managers = positive(io, '--managers', o.managers);
  if (nodes === undefined || managers === undefined) return EXIT.invalid;
  const { labUp } = await import('../lab/commands.js');
  const lab = await labUp({ ...target(io, o), nodes, managers, swarm: o.swarm, registry: o.registry, light: o.light, log: (l) => say(io, l) });
  if (o.json) io.stdout.write(JSON.stringify(lab) + '\n');
  else io.stdout.write(`lab ${lab.name} is up: ${lab.nodes.length} nodes on ${lab.subnet}\ninventory: ${lab.inventory}\n`);
  return EXIT.ok;
}

export async function labDownCommand(io: CliIo, o: LabOptions): Promise<number> {
  const { labDown } = await import('../lab/commands.js');
  const { removed } = await labDown(target(io, o));
  if (o.json) io.stdout.write(JSON.stringify({ removed }) + '\n');
  else io.stdout.write(removed.length === 0 ? `lab ${o.name}: nothing to remove\n` : `lab ${o.name} removed (${removed.length} items)\n`);
  return EXIT.ok;
}

export async function labStatusCommand(io: CliIo, o: LabOptions): Promise<number> {
  const { labStatus, formatLabStatus } = await import('../lab/commands.js');
  const report = await labStatus(target(io, o));
  io.stdout.write(o.json ? JSON.stringify(report) + '\n' : formatLabStatus(report) + '\n');
  return EXIT.ok;
}

export async function labPowerCommand(io: CliIo, state: string, node: string, o: LabOptions & { hard: boolean }): Promise<number> {
  if (state !== 'on' && state !== 'off') {
    say(io, `error: lab power ${state}: write \`lab power on NODE\` or \`lab power off NODE [--hard]\``);
    return EXIT.invalid;
  }
  const { labPower } = await import('../lab/commands.js');
  await labPower(target(io, o), node, state, { hard: o.hard });
  // What was done goes to stdout, as `lab down`'s does: a power step that succeeds must not read as an error.
  if (!o.json) io.stdout.write(`${node}: power ${state}${o.hard ? ' (hard)' : ''}\n`);
  return EXIT.ok;
}

export async function labDockerdCommand(io: CliIo, action: string, node: string, o: LabOptions): Promise<number> {
  if (action !== 'start') {
    say(io, `error: lab dockerd ${action}: write \`lab dockerd start NODE\` (stop and reload are signals: systemctl on the node sends them)`);
    return EXIT.invalid;
  }
  const { labDockerdStart } = await import('../lab/commands.js');
  await labDockerdStart(target(io, o), node);
  if (!o.json) io.stdout.write(`${node}: dockerd started\n`);
  return EXIT.ok;
}

export interface DrillOptions extends CommonOptions {
  readonly keep: boolean;
  readonly name?: string;
  readonly registry: boolean;
}

/**
 * The runbook a drill runs first (`drill.prepare`), loaded and its inputs checked before any lab comes up;
 * null when it is invalid, undefined when there is none.
 */
function preparationOf(io: CliIo, runbook: Runbook, o: DrillOptions): Runbook | null | undefined {
  const name = runbook.drill?.prepare;
  if (name === undefined) return undefined;
  // Validation has found the file; it can only have gone since.
  const file = subRunbookFile(runbook.file, name) ?? name;
  const prepare = loadRunbookFor(io, file, o);
  if (prepare === undefined) return null;
  if (inputsFor(io, prepare, []) === undefined) {
    say(io, `drill: ${runbook.name}'s preparation ${prepare.name} needs the inputs above, and a drill gives it none: give them defaults`);
    return null;
  }
  return prepare;
}

/**
 * A rehearsal: a lab shaped like the inventory, put first in the state the runbook starts from when the
 * runbook names a `drill.prepare`, the runbook run against it with `--yes`, the swarm's view before and
 * after, and the lab torn down unless `--keep`.
 */
export async function drillCommand(io: CliIo, runbookName: string, o: DrillOptions): Promise<number> {
  const runbook = loadRunbookFor(io, runbookName, o);
  const inv = loadInventoryFor(io, o);
  if (runbook === undefined || !inv.ok) return EXIT.invalid;
  if (inputsFor(io, runbook, o.input) === undefined) return EXIT.invalid;
  const prepare = preparationOf(io, runbook, o);
  if (prepare === null) return EXIT.invalid;
  const lab = await import('../lab/commands.js');
  const { startRun } = await import('./run.js');
  const name = o.name ?? `drill${process.pid}`;
  const labTarget = { name, stateDir: stateDirFrom(o.stateDir, io.env, io.cwd) };
  // What a runbook meant for drills only checks (env.RUNBOOK_DRILL_LAB == inventory.cluster) before it acts.
  const drillIo: CliIo = { ...io, env: { ...io.env, RUNBOOK_DRILL_LAB: name } };
  let code: number = EXIT.failed;
  try {
    say(io, `drill: bringing up lab ${name}${inv.inventory === undefined ? '' : ` shaped like ${inv.inventory.cluster}`}…`);
    const shaped =
      inv.inventory === undefined ? undefined : await lab.labUpShaped({ ...labTarget, inventory: inv.inventory, registry: o.registry, log: (l) => say(io, l) });
    const description = shaped ?? (await lab.labUp({ ...labTarget, nodes: 3, managers: 1, swarm: true, registry: o.registry, log: (l) => say(io, l) }));
    if (prepare !== undefined) {
      say(io, `drill: preparing with ${prepare.name}, the state ${runbook.name} starts from`);
      // The whole lab, with the preparation's own defaults: the operator's --input and --limit are for the runbook drilled.
      const prepared = await startRun(drillIo, prepare.file, { ...o, input: [], limit: undefined, inventory: description.inventory, yes: true, resumable: o.keep });
      if (prepared.code !== EXIT.ok) {
        say(io, `drill: the preparation ${prepare.name} finished with exit code ${prepared.code}; ${runbook.name} was not run`);
        return prepared.code;
      }
    }
    say(io, `drill: swarm before\n${lab.formatLabStatus(await lab.labStatus(labTarget))}`);
    const ran = await startRun(drillIo, runbook.file, { ...o, inventory: description.inventory, yes: true, resumable: o.keep });
    code = ran.code;
    // Without --keep the lab goes: a resume would find no nodes.
    const keepHint = code === EXIT.failed && !o.keep ? ' (to resume it on the lab, or look at the lab, drill again with --keep)' : '';
    say(io, `drill: ${runbook.name} finished with exit code ${code}${keepHint}`);
    if (ran.runId !== undefined) {
      const differences = labDifferences({ registry: o.registry, warnings: shaped?.warnings ?? [] });
      say(io, `drill: report ${await drillReport(io, o, ran.runId, differences)}`);
    }
    say(io, `drill: swarm after\n${lab.formatLabStatus(await lab.labStatus(labTarget))}`);
  } finally {
    if (o.keep) say(io, `drill: lab ${name} kept; remove it with: runbook lab down --name ${name}`);
    else {
      await lab.labDown(labTarget);
      say(io, `drill: lab ${name} removed`);
    }
  }
  return code;
}

/** The drill's run as a report in its run directory, with what the lab does not share with production. */
async function drillReport(io: CliIo, o: DrillOptions, runId: string, differences: readonly LabDifference[]): Promise<string> {
  const { writeRunReport } = await import('./report.js');
  const store = await storeFrom(io, o);
  const note = {
    id: 'differs-from-production',
    title: 'Differs from production',
    intro: 'This run was a drill on a lab cluster of this machine. What went right here was shown under these conditions:',
    items: differences,
  };
  return writeRunReport(store, runId, { notes: [note] }).finally(() => store.close());
}
