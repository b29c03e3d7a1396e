/**
 * Every built-in runbook planned against a live lab with inputs that name what the inventory and the
 * swarm do not have — a node, a stack, a service, a group. Each plan either exits 0 saying `cannot
 * plan: …`, or exits 2 with a message at `file:line:col`; none is an internal error, each names the
 * missing thing, and nothing in the cluster changes.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT, runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';
import { LabApi } from '../integration/docker/lab-api.js';

let handle: LabHandle;
let api: LabApi;
let dir: string;
let noGroup: string;

beforeAll(async () => {
  handle = await withLab({ nodes: 3, managers: 1, swarm: true, registry: true });
  api = new LabApi(handle.lab);
  dir = workspace();
  // The same cluster without the `registry` group provision-node looks the registry up in.
  const inv = parse(readFileSync(handle.lab.inventory, 'utf8')) as { groups: Record<string, unknown> };
  delete inv.groups['registry'];
  noGroup = join(dir, 'no-registry-group.yaml');
  writeFileSync(noGroup, stringify(inv, { lineWidth: 0 }));
}, 180_000);

afterAll(async () => {
  await api?.close();
  await handle?.down();
}, 120_000);

/** runbook → inputs naming things that are not there, and the name each message must mention. */
const CASES: readonly { runbook: string; inputs: readonly string[]; missing: string; inventory?: 'no-group' }[] = [
  { runbook: 'backup-swarm-state', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'demote-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'drain-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'emergency-shutdown', inputs: ['keep_manager=ghost'], missing: 'ghost' },
  { runbook: 'force-new-cluster', inputs: ['survivor=ghost'], missing: 'ghost' },
  { runbook: 'join-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'label-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'promote-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'provision-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'provision-node', inputs: ['node=node2'], missing: 'registry', inventory: 'no-group' },
  { runbook: 'reboot-from-shutdown', inputs: ['first=ghost'], missing: 'ghost' },
  { runbook: 'reboot-from-shutdown', inputs: ['first=node1', 'registry_stack=ghost'], missing: 'ghost' },
  { runbook: 'remove-node', inputs: ['node=ghost'], missing: 'ghost' },
  { runbook: 'service-update', inputs: ['service=ghost', 'image=lab/busybox:1'], missing: 'ghost' },
  { runbook: 'stack-deploy', inputs: ['stack=ghost'], missing: 'ghost' },
  { runbook: 'thinpool', inputs: ['node=ghost', 'device=/dev/loop9'], missing: 'ghost' },
];

describe('plan of every built-in runbook with inputs naming what is not there', () => {
  it('covers every built-in runbook but the read-only cluster-status', () => {
    const builtins = readdirSync(join(ROOT, 'runbooks')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect([...new Set(CASES.map((c) => c.runbook)), 'cluster-status'].sort()).toEqual(builtins.sort());
  });

  it.each(CASES.map((c) => [`${c.runbook} ${c.inputs.join(' ')}${c.inventory === undefined ? '' : ' (no registry group)'}`, c] as const))(
    '%s: cannot plan, clearly',
    async (_name, c) => {
      const before = await api.snapshot();
      const inventory = c.inventory === 'no-group' ? noGroup : handle.lab.inventory;
      const r = await runCli(['plan', c.runbook, '-i', inventory, ...c.inputs.flatMap((i) => ['--input', i])], { cwd: dir });
      const out = r.stdout + r.stderr;
      expect(out).not.toContain('internal error');
      expect(out).not.toMatch(/^\s+at /m);
      expect([0, 2], out).toContain(r.code);
      if (r.code === 2) expect(r.stderr, out).toMatch(/\.yaml:\d+:\d+: error RB_[A-Z_]+: .+/);
      else expect(r.stdout, out).toMatch(/cannot plan: .+/);
      expect(out).toContain(c.missing);
      expect(await api.snapshot()).toEqual(before);
    },
    60_000,
  );
});
