/**
 * The catalogue: every action the DSL can name, in one literal map.
 */
import type { ActionDefinition } from './define.js';
import { assert } from './assert.js';
import { dockerActions } from './docker/catalogue.js';
import { workloadActions } from './workload/catalogue.js';
import { runbook } from './runbook.js';
import { shell } from './shell.js';
import { sshFetch } from './ssh/fetch.js';
import { sshFile } from './ssh/file.js';
import { sshRun } from './ssh/run.js';
import { sshScript } from './ssh/script.js';

// Each entry keeps its own `with` type; the registry sees them through the erased form.
const catalogue = {
  shell,
  assert,
  runbook,
  'ssh.run': sshRun,
  'ssh.script': sshScript,
  'ssh.file': sshFile,
  'ssh.fetch': sshFetch,
  ...dockerActions,
  ...workloadActions,
} as const satisfies Record<string, ActionDefinition<never>>;

export type ActionName = keyof typeof catalogue;

export function getAction(name: string): ActionDefinition<Record<string, unknown>> | undefined {
  return Object.hasOwn(catalogue, name)
    ? (catalogue[name as ActionName] as unknown as ActionDefinition<Record<string, unknown>>)
    : undefined;
}

export function actionNames(): string[] {
  return Object.keys(catalogue).sort();
}
