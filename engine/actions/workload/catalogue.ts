/**
 * Actions for services, tasks, stacks, daemons, power and waiting.
 */
import type { ActionDefinition } from '../define.js';
import { daemonRestart } from './daemon-restart.js';
import { httpProbe } from './http-probe.js';
import { manual } from './manual.js';
import { powerOff } from './power-off.js';
import { powerOn } from './power-on.js';
import { serviceCreate } from './service-create.js';
import { serviceExport } from './service-export.js';
import { serviceLs } from './service-ls.js';
import { serviceRm } from './service-rm.js';
import { serviceUpdate } from './service-update.js';
import { stackDeploy } from './stack-deploy.js';
import { stackLs } from './stack-ls.js';
import { stackRm } from './stack-rm.js';
import { tasksWait } from './tasks-wait.js';
import { waitUntil } from './wait-until.js';

export const workloadActions = {
  'docker.service.ls': serviceLs,
  'docker.service.export': serviceExport,
  'docker.service.create': serviceCreate,
  'docker.service.update': serviceUpdate,
  'docker.service.rm': serviceRm,
  'docker.tasks.wait': tasksWait,
  'docker.stack.deploy': stackDeploy,
  'docker.stack.rm': stackRm,
  'docker.stack.ls': stackLs,
  'docker.daemon.restart': daemonRestart,
  'http.probe': httpProbe,
  'wait.until': waitUntil,
  'power.off': powerOff,
  'power.on': powerOn,
  manual,
} as const satisfies Record<string, ActionDefinition<never>>;
