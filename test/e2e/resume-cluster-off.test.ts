/**
 * A run killed after its `on: manager` and `on: leader` steps succeeded, resumed once every manager is off
 * (an emergency shutdown interrupted at its last power-off): the steps done before are planned on the node
 * the journal names, without asking the dark cluster, and the resume finishes.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPower } from '../../engine/lab/commands.js';
import { killWhen, runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;
let dir: string;

const RUNBOOK = (dir: string): string => `name: dark
steps:
  - id: stacks
    action: docker.stack.ls
    on: manager
  - id: leads
    action: docker.stack.ls
    on: leader
  - id: pause
    needs: [stacks, leads]
    action: shell
    check:
      action: shell
      with: { command: "test -f ${dir}/marker" }
    with: { command: "touch ${dir}/marker; sleep 60" }
`;

beforeAll(async () => {
  handle = await withLab({ nodes: 1, managers: 1, swarm: true });
  dir = workspace();
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

describe('resume with the cluster off', () => {
  it('plans the manager and leader steps done before from the journal, and finishes', async () => {
    const state = join(dir, 'state');
    writeFileSync(join(dir, 'dark.yaml'), RUNBOOK(dir));
    const first = await runCli(['run', 'dark', '-i', handle.lab.inventory, '--state-dir', state, '--runbooks', dir, '--yes'], {
      onSpawn: killWhen(dir, 'marker'),
    });
    expect(first.signal, first.stderr).toBe('SIGKILL');
    await labPower({ name: handle.lab.name, stateDir: handle.stateDir }, 'node1', 'off');

    const resumed = await runCli(['resume', '--state-dir', state, '--yes'], { cwd: dir });
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    const [runId] = readdirSync(join(state, 'runs'));
    const journal = readFileSync(join(state, 'runs', runId!, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; instance?: string; target?: string });
    // Each of the two succeeded once, in the first attempt, on node1; nothing failed in the resume.
    const succeeded = journal.filter((r) => r.type === 'step.succeeded').map((r) => `${r.instance ?? ''}@${r.target ?? ''}`);
    expect(succeeded.sort()).toEqual(['leads@node1', 'stacks@node1']);
    expect(journal.filter((r) => r.type === 'step.failed')).toEqual([]);
    expect(resumed.stderr + resumed.stdout).toContain('done in an earlier attempt');
  }, 180_000);
});
