/**
 * The catalogue: every action the DSL can name, in one literal map, and the descriptors of them all —
 * what validation is given to check runbooks against.
 */
import type { ActionCatalogue, ActionDescriptor } from '../dsl/action-descriptor.js';
import type { ActionDefinition } from './define.js';
import { dockerNodeLs } from './docker/node/ls.js';
import { dockerNodeRm } from './docker/node/rm.js';
import { dockerNodeDemote, dockerNodePromote } from './docker/node/role-change.js';
import { dockerNodeUpdate } from './docker/node/update.js';
import { dockerNodeWait } from './docker/node/wait.js';
import { dockerInfo } from './docker/daemon/info.js';
import { daemonRestart } from './docker/daemon/restart.js';
import { serviceCreate } from './docker/service/create.js';
import { serviceExport } from './docker/service/export.js';
import { serviceLs } from './docker/service/ls.js';
import { serviceRm } from './docker/service/rm.js';
import { tasksWait } from './docker/service/tasks-wait.js';
import { serviceUpdate } from './docker/service/update.js';
import { stackDeploy } from './docker/stack/deploy.js';
import { stackLs } from './docker/stack/ls.js';
import { stackRm } from './docker/stack/rm.js';
import { dockerSwarmInit } from './docker/swarm/init.js';
import { dockerSwarmJoinToken } from './docker/swarm/join-token.js';
import { dockerSwarmJoin } from './docker/swarm/join.js';
import { dockerSwarmLeave } from './docker/swarm/leave.js';
import { assert } from './flow/assert.js';
import { httpProbe } from './flow/http-probe.js';
import { manual } from './flow/manual.js';
import { runbook } from './flow/runbook.js';
import { waitUntil } from './flow/wait-until.js';
import { powerOff, powerOn } from './power/power.js';
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
  manual,
  'wait.until': waitUntil,
  'http.probe': httpProbe,
  'ssh.run': sshRun,
  'ssh.script': sshScript,
  'ssh.file': sshFile,
  'ssh.fetch': sshFetch,
  'power.off': powerOff,
  'power.on': powerOn,
  'docker.info': dockerInfo,
  'docker.daemon.restart': daemonRestart,
  'docker.swarm.init': dockerSwarmInit,
  'docker.swarm.join-token': dockerSwarmJoinToken,
  'docker.swarm.join': dockerSwarmJoin,
  'docker.swarm.leave': dockerSwarmLeave,
  'docker.node.ls': dockerNodeLs,
  'docker.node.update': dockerNodeUpdate,
  'docker.node.promote': dockerNodePromote,
  'docker.node.demote': dockerNodeDemote,
  'docker.node.rm': dockerNodeRm,
  'docker.node.wait': dockerNodeWait,
  'docker.service.ls': serviceLs,
  'docker.service.export': serviceExport,
  'docker.service.create': serviceCreate,
  'docker.service.update': serviceUpdate,
  'docker.service.rm': serviceRm,
  'docker.tasks.wait': tasksWait,
  'docker.stack.deploy': stackDeploy,
  'docker.stack.rm': stackRm,
  'docker.stack.ls': stackLs,
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

function descriptorOf(a: ActionDefinition<Record<string, unknown>>): ActionDescriptor<Record<string, unknown>> {
  const { name, description, with: schema, lateFields, resultFields, shellFields, mutating, idempotent, secretOutputs, planReads, decidesRun, defaultTarget } = a;
  return Object.freeze({
    name,
    description,
    with: schema,
    mutating,
    idempotent,
    defaultTarget,
    ...(lateFields === undefined ? {} : { lateFields }),
    ...(resultFields === undefined ? {} : { resultFields }),
    ...(shellFields === undefined ? {} : { shellFields }),
    ...(secretOutputs === undefined ? {} : { secretOutputs }),
    ...(planReads === undefined ? {} : { planReads }),
    ...(decidesRun === undefined ? {} : { decidesRun }),
  });
}

/** The descriptors of every action: the catalogue runbooks are validated against. */
export const actionDescriptors: ActionCatalogue = new Map(actionNames().map((n) => [n, descriptorOf(getAction(n) as ActionDefinition<Record<string, unknown>>)]));
