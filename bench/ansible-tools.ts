/**
 * The same work done on one lab by three tools, each in a new process and read back so that a comparison is
 * of tools that did the same thing: two commands on every node (`hostname`, `docker info`) by Ansible
 * (ad-hoc, or a two-task playbook), by `runbook run` (a one-step or two-step runbook) and by a parallel
 * OpenSSH loop (the floor); and a label on every swarm node by Ansible's `community.docker.docker_node` and by
 * runbook's `docker.node.update`. Both tools read one generated Ansible INI inventory. Each run is timed, and
 * where this machine can count it, the control host's CPU it cost, its children and daemons included.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadInventory, type Inventory } from '../engine/index.js';
import type { LabDescription } from '../engine/lab/commands.js';
import { runbookBin } from '../engine/lab/repo-root.js';
import { CpuAccount } from './cpu-account.js';

const exec = promisify(execFile);
/** Bounds every process: a hung tool fails the benchmark instead of stalling it. */
const PROCESS_TIMEOUT_MS = 300_000;
const MAX_BUFFER = 64 * 2 ** 20;

/** What one node answered: the output of `hostname`, and the `Name:` line of `docker info`. */
export interface NodeAnswer {
  readonly hostname: string;
  readonly dockerName: string;
}

export type Answers = Readonly<Record<string, NodeAnswer>>;

/** A lab's benchmark directory: the shared inventory, the playbooks and runbooks, and scratch space. */
export interface ToolsDir {
  readonly dir: string;
  readonly hostsIni: string;
  readonly nodes: readonly string[];
  readonly managerSocket: string;
  readonly identity: string;
  readonly knownHosts: string;
  readonly addresses: readonly string[];
}

const PLAYBOOK_TWO_TASKS = `- name: two commands
  hosts: all
  gather_facts: false
  tasks:
    - name: hostname
      ansible.builtin.command: hostname
    - name: docker info
      ansible.builtin.command: docker info
`;

/**
 * `ssh`: delegated to the manager over SSH, as Ansible reaches a real swarm. `local`: the manager's socket
 * straight from this machine, as runbook reaches it, so that no SSH is in Ansible's way either. The socket
 * comes from the inventory's `docker_host`, which runbook reads too.
 */
function labelPlaybook(via: 'ssh' | 'local'): string {
  return `- name: label every node
  hosts: all
  gather_facts: false${via === 'local' ? '\n  connection: local' : ''}
  tasks:
    - name: label
      community.docker.docker_node:
        docker_host: "{{ hostvars[groups.managers[0]].docker_host }}"
        hostname: "{{ inventory_hostname }}"
        labels: { bench: "{{ value }}" }
        labels_state: merge${via === 'ssh' ? '\n      delegate_to: "{{ groups.managers[0] }}"' : ''}
`;
}

const RUNBOOK_ONE_STEP = `name: two-commands-one-step
steps:
  - id: both
    action: ssh.run
    on: all
    with: { command: hostname && docker info, read_only: true }
`;

const RUNBOOK_TWO_STEPS = `name: two-commands
steps:
  - id: hostname
    action: ssh.run
    on: all
    with: { command: hostname, read_only: true }
  - id: docker-info
    action: ssh.run
    on: all
    with: { command: docker info, read_only: true }
`;

function runbookLabel(nodes: number): string {
  return `name: label-every-node
inputs:
  value: { type: string }
steps:
  - id: label
    action: docker.node.update
    foreach: "\${{ inventory.nodes.map(n, n.name) }}"
    concurrency: ${nodes}
    on: manager
    with: { node: "\${{ item }}", labels: { bench: "\${{ inputs.value }}" } }
`;
}

/** The lab as an operator's Ansible inventory lists it; runbook reads the same file. */
function hostsIni(lab: LabDescription, inventory: Inventory): string {
  const first = inventory.nodes[0];
  const line = (n: LabDescription['nodes'][number]): string =>
    `${n.name} ansible_host=${n.address}${n.role === 'manager' ? ` docker_host=unix://${n.dockerSocket}` : ''}`;
  return [
    '[all:vars]',
    `swarm_cluster=${lab.name}`,
    'ansible_user=root',
    `ansible_ssh_private_key_file=${first?.ssh.identity ?? ''}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${first?.ssh.knownHosts ?? ''} -o StrictHostKeyChecking=yes'`,
    // The nodes share this machine's filesystem, so its python3 is theirs.
    'ansible_python_interpreter=/usr/bin/python3',
    '',
    '[managers]',
    ...lab.nodes.filter((n) => n.role === 'manager').map(line),
    '',
    '[workers]',
    ...lab.nodes.filter((n) => n.role === 'worker').map(line),
    '',
  ].join('\n');
}

export async function writeToolsDir(lab: LabDescription, dir: string): Promise<ToolsDir> {
  const inventory = loadInventory(lab.inventory).value;
  const manager = lab.nodes.find((n) => n.role === 'manager');
  if (inventory === undefined || manager === undefined) throw new Error(`lab ${lab.name}: no inventory or no manager`);
  const files: Record<string, string> = {
    'hosts.ini': hostsIni(lab, inventory),
    // Empty: no ansible.cfg of this machine's takes part.
    'ansible.cfg': '',
    'two-tasks.yml': PLAYBOOK_TWO_TASKS,
    'label-ssh.yml': labelPlaybook('ssh'),
    'label-local.yml': labelPlaybook('local'),
    'one-step.yaml': RUNBOOK_ONE_STEP,
    'two-steps.yaml': RUNBOOK_TWO_STEPS,
    'label.yaml': runbookLabel(lab.nodes.length),
  };
  for (const sub of ['home', 'ansible-local', 'ansible-remote', 'state']) await mkdir(join(dir, sub), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const first = inventory.nodes[0];
  return {
    dir,
    hostsIni: join(dir, 'hosts.ini'),
    nodes: lab.nodes.map((n) => n.name),
    managerSocket: manager.dockerSocket,
    identity: first?.ssh.identity ?? '',
    knownHosts: first?.ssh.knownHosts ?? '',
    addresses: lab.nodes.map((n) => n.address),
  };
}

function answer(hostname: string, dockerInfo: string): NodeAnswer {
  return { hostname: hostname.trim(), dockerName: /^\s*Name:\s*(\S+)\s*$/m.exec(dockerInfo)?.[1] ?? '' };
}

/** `hostname && docker info` in one output: the first line, then the rest. */
function splitAnswer(stdout: string): NodeAnswer {
  const newline = stdout.indexOf('\n');
  return answer(newline < 0 ? stdout : stdout.slice(0, newline), newline < 0 ? '' : stdout.slice(newline + 1));
}

/** Puts a program into the measured run's CPU account (or leaves it as it is, where none can be kept). */
type Wrap = (program: string, args: readonly string[]) => [string, string[]];

/** What one run of a tool cost: wall time, and the control host's CPU (NaN where it cannot be counted). */
export interface Cost {
  readonly ms: number;
  readonly cpuMs: number;
}

async function measured<T>(fn: (wrap: Wrap) => Promise<T>): Promise<Cost & { value: T }> {
  const account = CpuAccount.open();
  const wrap: Wrap = (program, args) => account?.wrap(program, args) ?? [program, [...args]];
  try {
    const t0 = performance.now();
    const value = await fn(wrap);
    const ms = performance.now() - t0;
    return { ms, cpuMs: account?.usedMs() ?? Number.NaN, value };
  } finally {
    await account?.close();
  }
}

// ---------------------------------------------------------------------------------------------- Ansible

export interface AnsibleOptions {
  readonly forks: number;
  readonly pipelining: boolean;
}

interface AnsibleJson {
  plays: Array<{ tasks: Array<{ hosts: Record<string, { stdout?: string; changed?: boolean; failed?: boolean }> }> }>;
}

/** Runs an Ansible program with its connections of its own, then closes the ControlMaster sockets it left. */
async function ansible(t: ToolsDir, program: string, args: readonly string[], o: AnsibleOptions, wrap: Wrap): Promise<AnsibleJson> {
  const control = await mkdtemp('/tmp/rb-acp-');
  const env = {
    ...process.env,
    HOME: join(t.dir, 'home'),
    SSH_AUTH_SOCK: '',
    ANSIBLE_CONFIG: join(t.dir, 'ansible.cfg'),
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_LOCAL_TEMP: join(t.dir, 'ansible-local'),
    ANSIBLE_REMOTE_TEMP: join(t.dir, 'ansible-remote'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: control,
    ANSIBLE_PIPELINING: o.pipelining ? 'True' : 'False',
    ANSIBLE_LOAD_CALLBACK_PLUGINS: 'True',
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
  };
  try {
    const { stdout } = await exec(...wrap(program, ['-i', t.hostsIni, '-f', String(o.forks), ...args]), {
      cwd: t.dir, env, maxBuffer: MAX_BUFFER, timeout: PROCESS_TIMEOUT_MS,
    });
    return JSON.parse(stdout) as AnsibleJson;
  } finally {
    await closeMasters(control);
  }
}

async function closeMasters(control: string): Promise<void> {
  const sockets = await readdir(control).catch(() => [] as string[]);
  await Promise.all(sockets.map((s) => exec('ssh', ['-o', `ControlPath=${join(control, s)}`, '-O', 'exit', 'x']).catch(() => undefined)));
  await rm(control, { recursive: true, force: true });
}

function taskHosts(out: AnsibleJson, task: number): Record<string, { stdout?: string; changed?: boolean }> {
  return out.plays[0]?.tasks[task]?.hosts ?? {};
}

/** `ansible all -m shell -a 'hostname && docker info'`. */
export async function ansibleAdHoc(t: ToolsDir, o: AnsibleOptions): Promise<Cost & { answers: Answers }> {
  const { ms, cpuMs, value } = await measured((wrap) => ansible(t, 'ansible', ['all', '-m', 'shell', '-a', 'hostname && docker info'], o, wrap));
  const hosts = taskHosts(value, 0);
  return { ms, cpuMs, answers: Object.fromEntries(Object.entries(hosts).map(([h, r]) => [h, splitAnswer(r.stdout ?? '')])) };
}

/** `ansible-playbook` of a play with two command tasks. */
export async function ansiblePlaybook(t: ToolsDir, o: AnsibleOptions): Promise<Cost & { answers: Answers }> {
  const { ms, cpuMs, value } = await measured((wrap) => ansible(t, 'ansible-playbook', [join(t.dir, 'two-tasks.yml')], o, wrap));
  const names = taskHosts(value, 0);
  const infos = taskHosts(value, 1);
  return {
    ms,
    cpuMs,
    answers: Object.fromEntries(Object.keys(names).map((h) => [h, answer(names[h]?.stdout ?? '', infos[h]?.stdout ?? '')])),
  };
}

/** Label `bench=value` on every node with `community.docker.docker_node`, through the manager over SSH or locally. */
export async function ansibleLabel(t: ToolsDir, value: string, o: AnsibleOptions & { readonly via: 'ssh' | 'local' }): Promise<Cost> {
  const playbook = join(t.dir, o.via === 'ssh' ? 'label-ssh.yml' : 'label-local.yml');
  const { ms, cpuMs, value: out } = await measured((wrap) => ansible(t, 'ansible-playbook', [playbook, '-e', `value=${value}`], o, wrap));
  const labelled = Object.keys(taskHosts(out, 0));
  if (labelled.length !== t.nodes.length) throw new Error(`ansible labelled ${labelled.length} of ${t.nodes.length} nodes`);
  return { ms, cpuMs };
}

// ---------------------------------------------------------------------------------------------- runbook

interface StepSucceeded {
  readonly type: string;
  readonly step?: string;
  readonly target?: string;
  readonly key?: string;
  readonly outputs?: { readonly stdout?: string };
}

/** `runbook run FILE -i hosts.ini --json`, a new process; its step.succeeded events. */
async function runbook(t: ToolsDir, file: string, wrap: Wrap, inputs: readonly string[] = []): Promise<StepSucceeded[]> {
  const args = [runbookBin(), 'run', join(t.dir, file), '-i', t.hostsIni, '--state-dir', join(t.dir, 'state'), '--yes', '--json'];
  for (const i of inputs) args.push('--input', i);
  const { stdout } = await exec(...wrap(process.execPath, args), {
    cwd: t.dir,
    env: { ...process.env, HOME: join(t.dir, 'home'), SSH_AUTH_SOCK: '', NO_COLOR: '1' },
    maxBuffer: MAX_BUFFER,
    timeout: PROCESS_TIMEOUT_MS,
  });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as StepSucceeded)
    .filter((e) => e.type === 'step.succeeded');
}

function stdoutOf(events: readonly StepSucceeded[], step: string): Record<string, string> {
  return Object.fromEntries(events.filter((e) => e.step === step).map((e) => [e.target ?? '', e.outputs?.stdout ?? '']));
}

/** One ssh.run step running both commands, or two steps running one each. */
export async function runbookCommands(t: ToolsDir, steps: 1 | 2): Promise<Cost & { answers: Answers }> {
  const { ms, cpuMs, value } = await measured((wrap) => runbook(t, steps === 1 ? 'one-step.yaml' : 'two-steps.yaml', wrap));
  if (steps === 1) {
    return { ms, cpuMs, answers: Object.fromEntries(Object.entries(stdoutOf(value, 'both')).map(([h, out]) => [h, splitAnswer(out)])) };
  }
  const names = stdoutOf(value, 'hostname');
  const infos = stdoutOf(value, 'docker-info');
  return { ms, cpuMs, answers: Object.fromEntries(Object.keys(names).map((h) => [h, answer(names[h] ?? '', infos[h] ?? '')])) };
}

/** Label `bench=value` on every node with `docker.node.update` over the manager's Engine API. */
export async function runbookLabelAll(t: ToolsDir, value: string): Promise<Cost> {
  const { ms, cpuMs, value: events } = await measured((wrap) => runbook(t, 'label.yaml', wrap, [`value=${value}`]));
  const labelled = events.filter((e) => e.step === 'label').length;
  if (labelled !== t.nodes.length) throw new Error(`runbook labelled ${labelled} of ${t.nodes.length} nodes`);
  return { ms, cpuMs };
}

// ---------------------------------------------------------------------------------------------- the floor

/** One OpenSSH process per node, all at once, new connections, both commands in one session each. */
export async function opensshFloor(t: ToolsDir): Promise<Cost & { answers: Answers }> {
  const one = async (wrap: Wrap, name: string, address: string): Promise<[string, NodeAnswer]> => {
    const { stdout } = await exec(...wrap('ssh', [
      '-i', t.identity,
      '-o', `UserKnownHostsFile=${t.knownHosts}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'ControlMaster=no',
      `root@${address}`,
      'hostname && docker info',
    ]), { env: { ...process.env, HOME: join(t.dir, 'home'), SSH_AUTH_SOCK: '' }, maxBuffer: MAX_BUFFER, timeout: PROCESS_TIMEOUT_MS });
    return [name, splitAnswer(stdout)];
  };
  const { ms, cpuMs, value } = await measured((wrap) => Promise.all(t.nodes.map((n, i) => one(wrap, n, t.addresses[i] ?? ''))));
  return { ms, cpuMs, answers: Object.fromEntries(value) };
}

// ---------------------------------------------------------------------------------------------- checks

/** Every node's swarm labels, as `docker node inspect` on the manager shows them. */
export async function swarmLabels(t: ToolsDir): Promise<Record<string, Record<string, string>>> {
  const { stdout } = await exec('docker', ['-H', `unix://${t.managerSocket}`, 'node', 'inspect', ...t.nodes], {
    maxBuffer: MAX_BUFFER, timeout: PROCESS_TIMEOUT_MS,
  });
  const nodes = JSON.parse(stdout) as Array<{ Description: { Hostname: string }; Spec: { Labels?: Record<string, string> } }>;
  return Object.fromEntries(nodes.map((n) => [n.Description.Hostname, n.Spec.Labels ?? {}]));
}

/** Why `answers` is not every node naming itself, or undefined when it is. */
export function wrongAnswers(t: ToolsDir, answers: Answers): string | undefined {
  const wrong = t.nodes.filter((n) => answers[n]?.hostname !== n || answers[n]?.dockerName !== n);
  const extra = Object.keys(answers).filter((n) => !t.nodes.includes(n));
  if (wrong.length === 0 && extra.length === 0) return undefined;
  return `wrong or missing answers from ${[...wrong, ...extra].join(', ')}`;
}

/** Why some node lacks `bench=value`, or undefined when every node has it. */
export async function wrongLabels(t: ToolsDir, value: string): Promise<string | undefined> {
  const labels = await swarmLabels(t);
  const wrong = t.nodes.filter((n) => labels[n]?.['bench'] !== value);
  return wrong.length === 0 ? undefined : `bench=${value} missing on ${wrong.join(', ')}`;
}
