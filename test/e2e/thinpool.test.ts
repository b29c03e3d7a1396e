/**
 * The thinpool runbook on lab nodes. This kernel has no device-mapper, so no pool can really be made
 * here: the test proves the orchestration — the gate, the upload, the arguments reaching the script,
 * the device checks failing cleanly, and the script removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workspace } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;

beforeAll(async () => {
  handle = await withLab({ nodes: 2, managers: 1, swarm: false });
}, 180_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

function leftovers(): string {
  return execFileSync('sh', ['-c', 'ls -d /tmp/runbook-script.* 2>/dev/null || true']).toString();
}

describe('thinpool', () => {
  it('is gated: without --yes and without a terminal nothing runs (exit 3)', async () => {
    const r = await runCli(['run', 'thinpool', '-i', handle.lab.inventory, '--state-dir', workspace(), '--input', 'node=node2', '--input', 'device=/dev/sdz']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Everything on that device is lost');
  });

  it('plan shows the script sent and the exact script call with the device', async () => {
    const r = await runCli(['plan', 'thinpool', '-i', handle.lab.inventory, '--input', 'node=node2', '--input', 'device=/dev/sdz', '--input', 'force=true']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/send .*runbooks\/scripts\/docker-thinpool\.sh to node2/);
    expect(r.stdout).toContain('bash $DIR/docker-thinpool.sh /dev/sdz --force');
  });

  it('sends the script, passes the device, and fails cleanly on a missing device', async () => {
    const device = `/dev/rb-missing-${process.pid}`;
    const r = await runCli(['run', 'thinpool', '-i', handle.lab.inventory, '--state-dir', workspace(), '--yes', '--input', 'node=node2', '--input', `device=${device}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`docker-thinpool: device not found: ${device}`);
    expect(r.stderr).toContain('node2: docker-thinpool.sh failed with exit code 1');
    expect(leftovers()).toBe('');
  });

  it('refuses something that is not a block device', async () => {
    const r = await runCli(['run', 'thinpool', '-i', handle.lab.inventory, '--state-dir', workspace(), '--yes', '--input', 'node=node1', '--input', 'device=/etc/hostname']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docker-thinpool: not a block device: /etc/hostname');
  });
});
