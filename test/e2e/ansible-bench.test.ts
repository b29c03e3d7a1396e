/**
 * The pieces of the Ansible benchmark on a 3-node lab: every tool it times does the same work. Ansible
 * (ad-hoc and a playbook, with and without pipelining), runbook (one-step and two-step runbooks) and the
 * OpenSSH floor each get every node's hostname and its daemon's name; Ansible's docker_node (over SSH and
 * locally) and runbook's docker.node.update each set a label that `docker node inspect` shows on every node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ansibleAdHoc,
  ansibleLabel,
  ansiblePlaybook,
  opensshFloor,
  runbookCommands,
  runbookLabelAll,
  swarmLabels,
  writeToolsDir,
  type Answers,
  type ToolsDir,
} from '../../bench/ansible-tools.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;
let scratch: string;
let tools: ToolsDir;

const NODES = ['node1', 'node2', 'node3'];
const EVERY_NODE_NAMES_ITSELF = Object.fromEntries(NODES.map((n) => [n, { hostname: n, dockerName: n }]));

function sorted(answers: Answers): Answers {
  return Object.fromEntries(Object.entries(answers).sort(([a], [b]) => a.localeCompare(b)));
}

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true });
  scratch = mkdtempSync(join(tmpdir(), 'rb-ansible-bench-'));
  tools = await writeToolsDir(handle.lab, scratch);
}, 180_000);

afterAll(async () => {
  await handle?.down();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('the Ansible benchmark compares tools that did the same work', () => {
  it('two commands on every node: each tool gets every hostname and every daemon name', async () => {
    const runs = {
      floor: await opensshFloor(tools),
      runbookOneStep: await runbookCommands(tools, 1),
      runbookTwoSteps: await runbookCommands(tools, 2),
      adHoc: await ansibleAdHoc(tools, { forks: 3, pipelining: false }),
      adHocPipelining: await ansibleAdHoc(tools, { forks: 3, pipelining: true }),
      playbook: await ansiblePlaybook(tools, { forks: 3, pipelining: false }),
      playbookPipelining: await ansiblePlaybook(tools, { forks: 3, pipelining: true }),
    };
    for (const [tool, run] of Object.entries(runs)) {
      expect(sorted(run.answers), tool).toEqual(EVERY_NODE_NAMES_ITSELF);
      // The control host's CPU of the tool's whole process tree was counted.
      expect(run.cpuMs, tool).toBeGreaterThan(0);
    }
  }, 120_000);

  it('a label on every node: each tool sets it, as docker node inspect shows', async () => {
    const every = (value: string): Record<string, string> => Object.fromEntries(NODES.map((n) => [n, value]));
    const bench = async (): Promise<Record<string, string | undefined>> =>
      Object.fromEntries(Object.entries(await swarmLabels(tools)).map(([n, labels]) => [n, labels['bench']]));
    expect(Object.values(await bench()).filter((v) => v !== undefined)).toEqual([]);
    await runbookLabelAll(tools, 'by-runbook');
    expect(await bench()).toEqual(every('by-runbook'));
    await ansibleLabel(tools, 'by-ansible-ssh', { forks: 3, pipelining: false, via: 'ssh' });
    expect(await bench()).toEqual(every('by-ansible-ssh'));
    await ansibleLabel(tools, 'by-ansible-local', { forks: 3, pipelining: true, via: 'local' });
    expect(await bench()).toEqual(every('by-ansible-local'));
    await runbookLabelAll(tools, 'by-runbook-again');
    expect(await bench()).toEqual(every('by-runbook-again'));
  }, 120_000);
});
