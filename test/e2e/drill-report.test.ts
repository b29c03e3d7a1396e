/**
 * `runbook drill` writes a report of its run into the run's directory: real lab nodes, so one lane per
 * node the runbook reached, a bar per instance, and the section on what the lab does not share with
 * production. Opened in a real Chromium: no request beyond the page, no secret in it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../engine/journal/records.js';
import { replay } from '../../engine/journal/replay.js';
import { isPng, openReport, outsideReferences } from '../helpers/browser.js';
import { runCli, workspace } from '../helpers/cli.js';

const CANARY = 'canary-d41ll-secret-93c1';

const INVENTORY = `
cluster: rehearsal
defaults:
  ssh: { user: root, identity: ~/.ssh/id_ed25519 }
nodes:
  - { name: m1, address: 192.0.2.11, role: manager }
  - { name: w1, address: 192.0.2.21, role: worker }
  - { name: w2, address: 192.0.2.22, role: worker }
`;

const RUNBOOK = `
name: fan-out
inputs:
  token: { type: string, secret: true }
steps:
  - id: prep
    action: shell
    with: { command: "echo preparing with \${{ inputs.token }}" }
  - id: uname
    needs: [prep]
    action: ssh.run
    on: all
    with: { command: "hostname", read_only: true }
  - id: flaky
    needs: [prep]
    action: ssh.run
    on: workers
    retry: { attempts: 2, delay: 100ms }
    # Each lab node has a HOME of its own, new with the lab: the first attempt fails, the retry passes.
    with: { command: "test -e ~/flaky || { touch ~/flaky; exit 1; }" }
  - id: nodes
    needs: [uname]
    action: docker.node.ls
    on: manager
`;

describe('runbook drill report', () => {
  it('writes the drill run as a page with a lane per lab node and what differs from production', async () => {
    const dir = workspace({ 'inv.yaml': INVENTORY, 'rb.yaml': RUNBOOK });
    const name = `rp${process.pid}`;
    const r = await runCli(['drill', 'rb.yaml', '-i', 'inv.yaml', '--lab-name', name, '--no-registry', '--state-dir', 's'], {
      cwd: dir,
      env: { RUNBOOK_INPUT_token: CANARY },
    });
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(`rbl-${name}-`);
    const file = /drill: report (\S+)/.exec(r.stderr)?.[1];
    expect(file, r.stderr).toBeDefined();
    const path = file as string;
    expect(dirname(path)).toMatch(new RegExp(`^${join(dir, 's', 'runs')}/`));
    expect(existsSync(path)).toBe(true);
    const state = replay(parseJournal(readFileSync(join(dirname(path), 'journal.jsonl'), 'utf8')).records);
    expect(state.status, r.stderr).toBe('succeeded');
    expect(readFileSync(path, 'utf8')).not.toContain(CANARY);

    const shot = join(dir, 'drill-report.png');
    const { page, requests, close } = await openReport(path, shot);
    try {
      expect(isPng(shot)).toBe(true);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(await outsideReferences(page)).toEqual([]);
      expect(await page.content()).not.toContain(CANARY);

      expect(await page.locator('g[data-lane]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')))).toEqual(['local', 'm1', 'w1', 'w2']);
      const bars = await page.locator('g[data-bar]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-instance')} ${e.getAttribute('data-node')} ${e.getAttribute('data-outcome')}`));
      expect(bars.sort()).toEqual(
        [...state.instances.values()].map((i) => `${i.instance} ${i.target} ${i.status}`).sort(),
      );
      // A step on all three nodes is three bars, one in each node's lane.
      for (const node of ['m1', 'w1', 'w2']) {
        expect(await page.locator(`g[data-lane="${node}"] g[data-bar][data-step="uname"]`).count()).toBe(1);
      }
      expect(await page.locator('g[data-lane="local"] g[data-bar]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['prep']);
      for (const node of ['w1', 'w2']) {
        const flaky = page.locator(`g[data-lane="${node}"] g[data-bar][data-step="flaky"]`);
        expect(await flaky.getAttribute('data-attempts')).toBe('2');
        expect(await flaky.locator('rect[data-segment="attempt"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')))).toEqual(['failed', 'succeeded']);
      }
      expect(await page.locator('tr[data-step-row="uname@w2"]').innerText()).toContain('w2');

      const differs = await page.locator('section[data-section="differs-from-production"]').innerText();
      expect(differs).toContain('Differs from production');
      for (const fact of ['device-mapper', 'ip_vs', 'IPMI', 'kernel', '--yes', 'systemctl']) expect(differs).toContain(fact);
      // No registry in this drill: the note does not claim one.
      expect(differs).not.toContain('insecure local registry');
    } finally {
      await close();
    }
  }, 240_000);
});
