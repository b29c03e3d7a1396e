/**
 * Ansible beside runbook on the same labs (5, 20 and 50 nodes, one manager, a swarm), in the same run, every
 * tool a new process timed end to end and its results checked: two commands on every node (Ansible ad-hoc
 * and a two-task playbook, forks = nodes, with and without pipelining; runbook one-step and two-step
 * runbooks; a parallel OpenSSH loop as the floor), and a label on every node (`community.docker.docker_node`
 * through the manager over SSH, and locally; runbook's `docker.node.update` over the Engine API).
 * Each figure is a median of wall time, and of the control host's CPU (the tool's process tree, its daemons
 * included), where a cgroup can count it. Targets: runbook ≥ 10× faster than Ansible, ≤ 1.3× the parallel
 * OpenSSH floor.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../engine/lab/commands.js';
import {
  ansibleAdHoc,
  ansibleLabel,
  ansiblePlaybook,
  opensshFloor,
  runbookCommands,
  runbookLabelAll,
  wrongAnswers,
  wrongLabels,
  writeToolsDir,
  type Answers,
  type Cost,
  type ToolsDir,
} from './ansible-tools.js';
import { removeStaleAccounts } from './cpu-account.js';

/** Lab sizes, and how many rounds each: the 50-node lab gets fewer to keep the group within ~10 minutes. */
const SIZES: ReadonlyArray<{ readonly nodes: number; readonly rounds: number }> = [
  { nodes: 5, rounds: 3 },
  { nodes: 20, rounds: 3 },
  { nodes: 50, rounds: 1 },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}

/** Times a run of the two commands and refuses a tool whose answers are not every node naming itself. */
async function checked(t: ToolsDir, what: string, fn: () => Promise<Cost & { answers: Answers }>): Promise<Cost> {
  const { answers, ...cost } = await fn();
  const wrong = wrongAnswers(t, answers);
  if (wrong !== undefined) throw new Error(`${what}: ${wrong}`);
  return cost;
}

async function labelled(t: ToolsDir, what: string, value: string, fn: () => Promise<Cost>): Promise<Cost> {
  const cost = await fn();
  const wrong = await wrongLabels(t, value);
  if (wrong !== undefined) throw new Error(`${what}: ${wrong}`);
  return cost;
}

/** Per tool, its wall times (`name`) and control-host CPU times (`name.cpu`), one a round. */
type Series = Record<string, number[]>;

function withoutNaN(figures: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).filter(([, v]) => !Number.isNaN(v)));
}

/** One round: every tool once, alternated so that the nodes' drifting load is shared out. */
async function round(t: ToolsDir, r: number, into: Series): Promise<void> {
  const forks = t.nodes.length;
  const add = (name: string, cost: Cost): void => {
    (into[name] ??= []).push(cost.ms);
    (into[`${name}.cpu`] ??= []).push(cost.cpuMs);
  };
  add('floor', await checked(t, 'openssh', () => opensshFloor(t)));
  add('one_step.runbook', await checked(t, 'runbook one step', () => runbookCommands(t, 1)));
  add('one_step.ansible_adhoc', await checked(t, 'ansible ad-hoc', () => ansibleAdHoc(t, { forks, pipelining: false })));
  add('one_step.ansible_adhoc_pipelining', await checked(t, 'ansible ad-hoc', () => ansibleAdHoc(t, { forks, pipelining: true })));
  add('two_steps.runbook', await checked(t, 'runbook two steps', () => runbookCommands(t, 2)));
  add('two_steps.ansible_playbook', await checked(t, 'ansible-playbook', () => ansiblePlaybook(t, { forks, pipelining: false })));
  add('two_steps.ansible_playbook_pipelining', await checked(t, 'ansible-playbook', () => ansiblePlaybook(t, { forks, pipelining: true })));
  add('label.runbook', await labelled(t, 'runbook label', `r${r}`, () => runbookLabelAll(t, `r${r}`)));
  add('label.ansible_docker_node', await labelled(t, 'ansible label', `a${r}`, () => ansibleLabel(t, `a${r}`, { forks, pipelining: false, via: 'ssh' })));
  add('label.ansible_docker_node_pipelining', await labelled(t, 'ansible label', `p${r}`, () => ansibleLabel(t, `p${r}`, { forks, pipelining: true, via: 'ssh' })));
  add('label.ansible_docker_node_local', await labelled(t, 'ansible label', `l${r}`, () => ansibleLabel(t, `l${r}`, { forks, pipelining: true, via: 'local' })));
}

async function settle(t: ToolsDir): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await new Promise((r) => setTimeout(r, 5_000));
    try {
      await checked(t, 'openssh warm-up', () => opensshFloor(t));
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

export async function benchSize(nodes: number, rounds: number): Promise<Record<string, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'rbl-bench-ansible-'));
  const target = { name: `bans${process.pid}n${nodes}`, stateDir };
  try {
    const upStart = performance.now();
    const lab = await labUp({ ...target, nodes, managers: 1, swarm: true, registry: false });
    const upMs = performance.now() - upStart;
    const t = await writeToolsDir(lab, join(stateDir, 'tools'));
    // Let the freshly formed swarm settle, and open each node's first SSH session untimed: on a just-built
    // 50-node lab a node can be briefly unreachable.
    await settle(t);
    const series: Series = {};
    for (let r = 0; r < rounds; r++) await round(t, r, series);
    const m = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, median(v)]));
    const get = (k: string): number => m[k] ?? Number.NaN;
    const prefix = `ansible${nodes}`;
    const best = (...names: string[]): number => Math.min(...names.map(get));
    // Ansible's best variant over runbook, by wall time (`''`) and by control-host CPU (`'.cpu'`).
    const ratios = (unit: '' | '.cpu', label: string): Record<string, number> => ({
      [`${prefix}.one_step.ansible_over_runbook${label}.ratio`]: ratio(best(`one_step.ansible_adhoc${unit}`, `one_step.ansible_adhoc_pipelining${unit}`), get(`one_step.runbook${unit}`)),
      [`${prefix}.two_steps.ansible_over_runbook${label}.ratio`]: ratio(best(`two_steps.ansible_playbook${unit}`, `two_steps.ansible_playbook_pipelining${unit}`), get(`two_steps.runbook${unit}`)),
      [`${prefix}.label.ansible_over_runbook${label}.ratio`]: ratio(
        best(`label.ansible_docker_node${unit}`, `label.ansible_docker_node_pipelining${unit}`, `label.ansible_docker_node_local${unit}`),
        get(`label.runbook${unit}`),
      ),
      [`${prefix}.one_step.runbook_over_floor${label}.ratio`]: ratio(get(`one_step.runbook${unit}`), get(`floor${unit}`)),
      [`${prefix}.two_steps.runbook_over_floor${label}.ratio`]: ratio(get(`two_steps.runbook${unit}`), get(`floor${unit}`)),
    });
    // Where no cgroup counts CPU, its figures are NaN: left out.
    return withoutNaN({
      [`lab.up.${nodes}nodes.1manager.ms`]: Math.round(upMs),
      ...Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}.${k}.ms`, Math.round(v)])),
      ...ratios('', ''),
      ...ratios('.cpu', '_cpu'),
      [`${prefix}.rounds`]: rounds,
    });
  } finally {
    await labDown(target);
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Why Ansible's figures cannot be taken here, or undefined when they can. */
async function ansibleSkipped(): Promise<string | undefined> {
  const succeeds = (cmd: string, args: readonly string[]): Promise<boolean> =>
    new Promise((resolve) => execFile(cmd, args, { timeout: 60_000 }, (error) => resolve(error === null)));
  // docker_node needs the Python Docker SDK where it runs: on the manager, which shares this filesystem.
  const ok = (await succeeds('ansible-doc', ['community.docker.docker_node'])) && (await succeeds('python3', ['-c', 'import docker']));
  return ok ? undefined : 'no Ansible with community.docker and the Python Docker SDK: run scripts/setup.sh --bench first';
}

/** Prints each lab size's figures as soon as they are taken (or why none can be). */
export async function benchAnsible(print: (figures: Record<string, number>) => void): Promise<void> {
  removeStaleAccounts();
  const skipped = await ansibleSkipped();
  if (skipped !== undefined) {
    console.log(`ansible figures skipped: ${skipped}`);
    return;
  }
  for (const { nodes, rounds } of SIZES) {
    // One size failing leaves the others' figures standing.
    try {
      print(await benchSize(nodes, rounds));
    } catch (e) {
      console.log(`ansible${nodes} figures failed: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 2).join(' ')}`);
    }
  }
}
