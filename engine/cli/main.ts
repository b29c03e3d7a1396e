/**
 * The command line. The only place that decides exit codes; commands are loaded lazily so that
 * `runbook validate` does not pay for loading the runner, ssh2 or dockerode.
 */
import { Command, CommanderError } from 'commander';
import { DiagnosticsError } from '../dsl/diagnostics.js';
import { isRunbookError } from '../errors.js';
import { reportInternal } from '../internal-error.js';
import { EXIT, exitForError } from './exit-codes.js';
import type { CliIo, CommonOptions } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function withCommon(command: Command): Command {
  return command
    .option('-i, --inventory <file>', 'inventory file (else $RUNBOOK_INVENTORY, else inventory/default.yaml)')
    .option('--input <name=value>', 'an input value, parsed as a YAML scalar (repeatable)', collect, [])
    .option('--state-dir <dir>', 'where runs are journaled (else $RUNBOOK_STATE_DIR, else .runbook/)')
    .option('--state <url>', 'a shared run store, postgresql://USER@HOST:PORT/DATABASE (else $RUNBOOK_STATE, else the files of --state-dir)')
    .option('--json', 'machine-readable events on stdout, one JSON object per line', false)
    .option('--runbooks <dir>', 'a directory of runbooks searched before the built-in ones');
}

function common(opts: Record<string, unknown>): CommonOptions {
  return {
    ...(typeof opts['inventory'] === 'string' ? { inventory: opts['inventory'] } : {}),
    input: (opts['input'] as string[] | undefined) ?? [],
    ...(typeof opts['stateDir'] === 'string' ? { stateDir: opts['stateDir'] } : {}),
    ...(typeof opts['state'] === 'string' ? { state: opts['state'] } : {}),
    json: opts['json'] === true,
    ...(typeof opts['runbooks'] === 'string' ? { runbooks: opts['runbooks'] } : {}),
    ...(typeof opts['limit'] === 'string' ? { limit: opts['limit'] } : {}),
  };
}

/** `--limit`, on the commands that run or plan steps. */
function withLimit(command: Command): Command {
  return command.option(
    '-l, --limit <pattern>',
    'only the nodes of an Ansible-style host pattern: names, groups, globs, !exclude, &intersect, joined by ":" (e.g. "workers:!node5")',
  );
}

function program(io: CliIo, setExit: (code: number) => void): Command {
  const cli = new Command('runbook')
    .description('Run YAML runbooks against Docker Swarm clusters: a step graph with checkpoints, dry-run and resume.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ runbook plan reboot-from-shutdown -i prod.yaml                    # the dry-run: every call, nothing changed',
        '  $ runbook plan provision-node -i prod.yaml --input node=c005 --diff # files as diffs against the node',
        '  $ runbook run cluster-status -i prod.yaml --limit "workers:!c005"   # only some nodes (Ansible patterns)',
        '  $ runbook run emergency-shutdown -i prod.ini --yes                  # an Ansible inventory works as -i too',
        '  $ runbook resume                                                    # the cluster\'s unfinished run; keeps its --limit',
        '  $ runbook report RUN_ID                                             # one self-contained HTML page of a run',
        '  $ runbook inventory import hosts.ini > prod.yaml                    # an Ansible inventory as a native one',
        '  $ runbook drill emergency-shutdown                                  # rehearse on a local lab, with a report',
        '',
        'Each command has its own --help.',
      ].join('\n'),
    );

  const run = (fn: () => Promise<number>) => async () => setExit(await fn());

  withCommon(cli.command('list').description('list the runbooks found, with descriptions and inputs')).action(
    async (opts: Record<string, unknown>) =>
      run(async () => (await import('./runs.js')).listCommand(io, common(opts)))(),
  );
  withCommon(cli.command('validate').argument('<file...>').description('check runbooks (and -i inventory); exit 2 when invalid')).action(
    async (files: string[], opts: Record<string, unknown>) =>
      run(async () => (await import('./runs.js')).validateCommand(io, files, common(opts)))(),
  );
  withLimit(withCommon(
    cli
      .command('plan')
      .argument('<name>', 'runbook name or .yaml path')
      .description('dry-run: show what would run; changes nothing')
      .option('--diff', "show each file a step would write as a unified diff against the node's file (read-only)", false)
      .addHelpText(
        'after',
        [
          '',
          'Example: the daemon.json provision-node would merge, against the one on node3:',
          '  $ runbook plan provision-node -i lab.yaml --input node=node3 --diff',
          '         /etc/docker/daemon.json: would change',
          '           --- a/etc/docker/daemon.json',
          '           +++ b/etc/docker/daemon.json',
          '           @@ -1,1 +1,6 @@',
          '           -{ "debug": false }',
          '           +{',
          '           +  "debug": false,',
          '           +  "insecure-registries": [ …',
        ].join('\n'),
      ),
  )).action(async (name: string, opts: Record<string, unknown>) =>
    run(async () => (await import('./run.js')).planCommand(io, name, { ...common(opts), diff: opts['diff'] === true }))(),
  );
  withLimit(withCommon(
    cli
      .command('run')
      .argument('<name>', 'runbook name or .yaml path')
      .description('execute a runbook')
      .option('-y, --yes', 'answer confirmation gates with yes (required when stdin is not a terminal)', false)
      .option('--dry-run', 'same as `runbook plan`', false)
      .option('--diff', 'with --dry-run: show the files steps would write as diffs (as `runbook plan --diff`)', false),
  )).action(async (name: string, opts: Record<string, unknown>) =>
    run(async () =>
      (await import('./run.js')).runCommand(io, name, { ...common(opts), yes: opts['yes'] === true, dryRun: opts['dryRun'] === true, diff: opts['diff'] === true }),
    )(),
  );
  withLimit(withCommon(
    cli
      .command('resume')
      .argument('[run-id]', "the run to continue (default: the latest run of the inventory's cluster, if it did not succeed)")
      .description('continue an unfinished run from its checkpoint')
      .option('-y, --yes', 'answer confirmation gates with yes', false)
      .option('--force', 'resume although the runbook or inventory changed, or a later run changed the cluster, since the run began', false)
      .option('--rerun <step>', 'allow a step that started but never finished to run again (repeatable)', collect, []),
  )).action(async (runId: string | undefined, opts: Record<string, unknown>) =>
    run(async () =>
      (await import('./resume.js')).resumeCommand(io, runId, {
        ...common(opts),
        yes: opts['yes'] === true,
        force: opts['force'] === true,
        rerun: (opts['rerun'] as string[] | undefined) ?? [],
      }),
    )(),
  );
  withCommon(cli.command('runs').description('list runs with their status')).action(async (opts: Record<string, unknown>) =>
    run(async () => (await import('./runs.js')).runsCommand(io, common(opts)))(),
  );
  withCommon(cli.command('show').argument('<run-id>').description("one run's timeline, from its journal")).action(
    async (runId: string, opts: Record<string, unknown>) =>
      run(async () => (await import('./runs.js')).showCommand(io, runId, common(opts)))(),
  );
  withCommon(
    cli
      .command('report')
      .argument('<run-id>')
      .description("one run as a self-contained HTML page: a timeline per node, every step with its outputs and errors")
      .option('--out <file>', "where to write it (default: the run's directory, STATE_DIR/runs/RUN_ID/report.html)")
      .addHelpText(
        'after',
        '\nThe page needs nothing from the network: CSS and the SVG timeline are inline, and secret inputs and outputs\n' +
          'appear only as ***. The path written is printed.\n\nExample:\n' +
          '  $ runbook report 20261122T041233Z-3f9a1c\n  /srv/ops/.runbook/runs/20261122T041233Z-3f9a1c/report.html\n' +
          '  $ runbook report 20261122T041233Z-3f9a1c --out /tmp/shutdown.html\n  /tmp/shutdown.html\n',
      ),
  ).action(async (runId: string, opts: Record<string, unknown>) =>
    run(async () =>
      (await import('./report.js')).reportCommand(io, runId, { ...common(opts), ...(typeof opts['out'] === 'string' ? { out: opts['out'] } : {}) }),
    )(),
  );
  const state = cli.command('state').description('the run store: where journals and the cluster lock live');
  state
    .command('copy')
    .description('copy runs from one store into another (a state directory into PostgreSQL); running it again copies only what is new')
    .requiredOption('--from <dir|url>', 'a state directory, or a postgresql:// URL')
    .requiredOption('--to <url|dir>', 'a postgresql:// URL, or a state directory')
    .option('--json', 'one JSON object per run', false)
    .action(async (opts: Record<string, unknown>) =>
      run(async () => (await import('./state.js')).stateCopyCommand(io, { from: String(opts['from']), to: String(opts['to']), json: opts['json'] === true }))(),
    );
  const inventory = cli.command('inventory').description('inventory files: native, Ansible INI or Ansible YAML');
  inventory
    .command('import')
    .argument('<file>', 'an Ansible INI or YAML inventory')
    .description('print the native inventory equivalent to an Ansible inventory (`-i` takes either)')
    .addHelpText(
      'after',
      [
        '',
        'Example:',
        '  $ cat hosts',
        '  [managers]',
        '  node1 ansible_host=10.0.0.1',
        '  [workers]',
        '  node[2:3] ansible_user=admin',
        '  $ runbook inventory import hosts > hosts.yaml',
        '',
        'Roles come from the groups managers and workers (or a swarm_role variable); other groups become',
        'inventory groups. See docs/inventory-ansible.md for every variable read.',
      ].join('\n'),
    )
    .action(async (file: string) => run(async () => (await import('./inventory.js')).inventoryImportCommand(io, file))());
  const lab = cli.command('lab').description('a local lab cluster: real dockerd + sshd nodes in network namespaces');
  const labCommon = (c: Command): Command =>
    c
      .option('--name <name>', 'lab name (unique per lab)', 'lab')
      .option('--dir <dir>', 'lab directory (default: STATE_DIR/labs/NAME)')
      .option('--state-dir <dir>', 'state directory (else $RUNBOOK_STATE_DIR, else .runbook/)')
      .option('--json', 'machine-readable output', false);
  const labOpts = (opts: Record<string, unknown>) => ({
    name: String(opts['name']),
    ...(typeof opts['dir'] === 'string' ? { dir: opts['dir'] } : {}),
    ...(typeof opts['stateDir'] === 'string' ? { stateDir: opts['stateDir'] } : {}),
    json: opts['json'] === true,
  });
  labCommon(
    lab
      .command('up')
      .description('bring up N nodes, optionally formed into a swarm with a private registry')
      .option('--nodes <n>', 'number of nodes', '3')
      .option('--managers <m>', 'managers among them', '1')
      .option('--swarm', 'form a swarm', false)
      .option('--registry', 'deploy a private registry stack on the first manager', false)
      .option('--light', 'nodes with sshd only, no dockerd (no swarm): for SSH fan-out at up to 200 nodes', false),
  ).action(async (opts: Record<string, unknown>) =>
    run(async () =>
      (await import('./lab.js')).labUpCommand(io, {
        ...labOpts(opts),
        nodes: String(opts['nodes']),
        managers: String(opts['managers']),
        swarm: opts['swarm'] === true,
        registry: opts['registry'] === true,
        light: opts['light'] === true,
      }),
    )(),
  );
  labCommon(lab.command('down').description('remove every process, namespace, link, rule, mount and directory of the lab')).action(
    async (opts: Record<string, unknown>) => run(async () => (await import('./lab.js')).labDownCommand(io, labOpts(opts)))(),
  );
  labCommon(lab.command('status').description("nodes, daemons up or down, and the swarm's view")).action(
    async (opts: Record<string, unknown>) => run(async () => (await import('./lab.js')).labStatusCommand(io, labOpts(opts)))(),
  );
  labCommon(
    lab
      .command('power')
      .argument('<state>', 'on or off')
      .argument('<node>', 'node name')
      .description("stop a node's daemons as a machine going dark would, or start them again on the same data")
      .option('--hard', 'no clean shutdown: freeze and kill everything of the node at once', false),
  ).action(async (state: string, node: string, opts: Record<string, unknown>) =>
    run(async () => (await import('./lab.js')).labPowerCommand(io, state, node, { ...labOpts(opts), hard: opts['hard'] === true }))(),
  );
  labCommon(
    lab
      .command('dockerd')
      .argument('<action>', 'start')
      .argument('<node>', 'node name')
      .description("start a node's dockerd while the node is on: what `systemctl start docker` on a lab node runs"),
  ).action(async (action: string, node: string, opts: Record<string, unknown>) =>
    run(async () => (await import('./lab.js')).labDockerdCommand(io, action, node, labOpts(opts)))(),
  );
  withCommon(
    cli
      .command('drill')
      .argument('<name>', 'runbook name or .yaml path')
      .description('bring up a lab shaped like the inventory, run the runbook\'s drill.prepare first if it has one, run the runbook against it, show the swarm before and after, tear down')
      .option('--keep', 'leave the lab running afterwards', false)
      .option('--lab-name <name>', 'name of the drill lab')
      .option('--no-registry', 'do not deploy the private registry'),
  ).action(async (name: string, opts: Record<string, unknown>) =>
    run(async () =>
      (await import('./lab.js')).drillCommand(io, name, {
        ...common(opts),
        keep: opts['keep'] === true,
        registry: opts['registry'] !== false,
        ...(typeof opts['labName'] === 'string' ? { name: opts['labName'] } : {}),
      }),
    )(),
  );
  return cli;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  const controller = new AbortController();
  // `on`, not `once`: proper-lockfile's signal-exit re-raises a signal it believes nobody else handles.
  // The first signal stops the run cleanly (journaled, exit 130); a second one does not wait.
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `runbook runs --json | head -1`: a reader that stops early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw e;
  });
  const fullIo: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    ...io,
  };
  let code: number = EXIT.ok;
  try {
    await program(fullIo, (c) => (code = c)).parseAsync([...argv], { from: 'user' });
  } catch (e) {
    code = handleError(fullIo, e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = code;
  return code;
}

function handleError(io: CliIo, e: unknown): number {
  if (e instanceof CommanderError) {
    // Help and version are not errors; usage mistakes are.
    return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  }
  if (e instanceof DiagnosticsError) {
    printDiagnostics(io, e.diagnostics);
    return EXIT.invalid;
  }
  if (isRunbookError(e)) {
    io.stderr.write(`error: ${e.message}\n`);
    for (const line of e.details) io.stderr.write(`  ${line}\n`);
    return exitForError(e);
  }
  io.stderr.write(`${reportInternal(e)}\n`);
  io.stderr.write('This is a bug in runbook, not in your runbook: please report it with that file.\n');
  return EXIT.failed;
}


