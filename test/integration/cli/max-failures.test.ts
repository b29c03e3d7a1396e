/**
 * `max_failures` as a count and as a share, through the real binary with real shells: a `foreach` step and
 * a fan-out over an inventory group (local shell instances, one per node) go on exactly while the failures
 * stay within floor(N × p / 100), and fail — starting no further instance — at the first one beyond it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../../helpers/cli.js';

interface Record {
  readonly type: string;
  readonly step?: string;
  readonly instance?: string;
  readonly reason?: string;
  readonly tolerated?: boolean;
  readonly status?: string;
}

function journalOf(stateDir: string): Record[] {
  const [run, ...more] = readdirSync(join(stateDir, 'runs'));
  expect(more).toEqual([]);
  return readFileSync(join(stateDir, 'runs', String(run), 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record);
}

/** Items `i1…iN`; those in `failing` exit 1. One at a time, so the order of failures is the list's. */
function foreachRunbook(items: number, failing: readonly number[], maxFailures: string): string {
  const list = Array.from({ length: items }, (_, i) => `i${i + 1}`);
  const fail = failing.map((i) => `i${i}`).join('|') || 'none';
  return `
name: fan
steps:
  - id: fan
    foreach: [${list.join(', ')}]
    concurrency: 1
    max_failures: ${maxFailures}
    action: shell
    with: { command: "echo \${{ item }} >> ran; case \${{ item }} in ${fail}) exit 1;; esac" }
  - id: after
    needs: [fan]
    action: shell
    with: { command: "touch after" }
`;
}

async function run(files: Readonly<{ [name: string]: string }>, extra: readonly string[] = []) {
  const dir = workspace(files);
  const r = await runCli(['run', 'rb.yaml', '--state-dir', 's', ...extra], { cwd: dir });
  const journal = journalOf(join(dir, 's'));
  const ran = existsSync(join(dir, 'ran')) ? readFileSync(join(dir, 'ran'), 'utf8').trim().split('\n') : [];
  return {
    r,
    ran,
    after: existsSync(join(dir, 'after')),
    failed: journal.filter((x) => x.type === 'step.failed' && x.step === 'fan').map((x) => x.instance),
    cut: journal.filter((x) => x.type === 'step.skipped' && x.reason === 'max-failures').map((x) => x.instance),
    status: journal.find((x) => x.type === 'run.finished')?.status,
  };
}

describe('max_failures as a share, foreach', () => {
  it.each([
    // [items, failing, share, tolerated]: the step goes on at exactly `tolerated` failures
    [8, [2, 5], '25%', 2],
    [7, [3], '25%', 1],
    [4, [1, 2, 3, 4], '100%', 4],
    [10, [1, 4, 7], '30%', 3],
  ] as const)('%d items, %j failing, %s: tolerated, the run goes on', async (items, failing, share, tolerated) => {
    expect(failing).toHaveLength(tolerated);
    const { r, ran, after, failed, cut, status } = await run({ 'rb.yaml': foreachRunbook(items, failing, share) });
    expect(r.code, r.stderr).toBe(0);
    expect(status).toBe('succeeded');
    expect(ran).toHaveLength(items);
    expect(failed).toEqual(failing.map((i) => `fan[i${i}]`));
    expect(cut).toEqual([]);
    expect(after).toBe(true);
  });

  it.each([
    // one failure beyond the share: the step fails there, later items never start, nothing after it runs
    [8, [2, 5, 6], '25%', 6],
    [7, [3, 4], '25%', 4],
    [3, [1], '0%', 1],
    [3, [2], '33%', 2],
  ] as const)('%d items, %j failing, %s: fails at item %d and starts no more', async (items, failing, share, stopsAt) => {
    const { r, ran, after, failed, cut, status } = await run({ 'rb.yaml': foreachRunbook(items, failing, share) });
    expect(r.code, r.stderr).toBe(1);
    expect(status).toBe('failed');
    expect(ran).toEqual(Array.from({ length: stopsAt }, (_, i) => `i${i + 1}`));
    expect(failed).toEqual(failing.map((i) => `fan[i${i}]`));
    expect(cut).toEqual(Array.from({ length: items - stopsAt }, (_, i) => `fan[i${stopsAt + i + 1}]`));
    expect(r.stderr).toContain(`${failing.length} of ${items} failed, ${failing.length - 1} tolerated`);
    expect(after).toBe(false);
  });

  it('keeps a count a count: max_failures 1 of 8 fails at the second failure', async () => {
    const { r, ran, cut } = await run({ 'rb.yaml': foreachRunbook(8, [1, 2], '1') });
    expect(r.code, r.stderr).toBe(1);
    expect(ran).toEqual(['i1', 'i2']);
    expect(cut).toHaveLength(6);
  });
});

describe('max_failures as a share, fan-out over a group', () => {
  // Local shell instances, one per node of the group: the nodes are only targets, nothing connects to them.
  const inventory = `
cluster: loop
defaults:
  ssh: { user: root }
nodes:
${['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map((n) => `  - { name: ${n}, address: 127.0.0.1, role: worker }`).join('\n')}
groups:
  fleet: [w1, w2, w3, w4, w5, w6]
`;
  const fanOut = (failing: string, share: string) => `
name: fan
steps:
  - id: fan
    on: fleet
    concurrency: 1
    max_failures: "${share}"
    action: shell
    with: { command: "echo \${{ target.name }} >> ran; case \${{ target.name }} in ${failing}) exit 1;; esac" }
  - id: after
    needs: [fan]
    action: shell
    with: { command: "touch after" }
`;

  it('6 nodes at 34% tolerate 2 failed nodes', async () => {
    const { r, ran, failed, after } = await run({ 'inv.yaml': inventory, 'rb.yaml': fanOut('w2|w5', '34%') }, ['-i', 'inv.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(ran).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6']);
    expect(failed).toEqual(['fan@w2', 'fan@w5']);
    expect(after).toBe(true);
  });

  it('6 nodes at 33% tolerate 1: the second failed node fails the step', async () => {
    const { r, ran, failed, cut, after } = await run({ 'inv.yaml': inventory, 'rb.yaml': fanOut('w2|w5', '33%') }, ['-i', 'inv.yaml']);
    expect(r.code, r.stderr).toBe(1);
    expect(ran).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
    expect(failed).toEqual(['fan@w2', 'fan@w5']);
    expect(cut).toEqual(['fan@w6']);
    expect(after).toBe(false);
  });
});

describe('a bad max_failures', () => {
  it.each(['"25"', '120%', '-1%', 'abc%'])('%s: exit 2 at file:line:col with what to write, nothing runs', async (written) => {
    const dir = workspace({
      'rb.yaml': `name: fan\nsteps:\n  - id: fan\n    foreach: [a, b]\n    max_failures: ${written}\n    action: shell\n    with: { command: "touch ran" }\n`,
    });
    const r = await runCli(['run', 'rb.yaml', '--state-dir', 's'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rb\.yaml:5:19: error RB_BAD_VALUE: step "fan": max_failures .* is neither a count of failed instances nor a share like "25%"; .*write \S/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 's', 'runs'))).toBe(false);
  });
});
