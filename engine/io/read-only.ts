/**
 * Ports for plan mode. Writes are refused here, in io/, so a dry-run cannot change anything even
 * if an action forgets which mode it is in.
 */
import type { Ports } from './ports.js';
import { RunbookError } from '../errors.js';
import type { DockerPort } from './ports.js';

/** A Docker client that sends GET and HEAD and refuses everything else. */
export function readOnlyDocker(docker: DockerPort): DockerPort {
  return {
    request: (target, request, signal) =>
      request.method === 'GET' || request.method === 'HEAD'
        ? docker.request(target, request, signal)
        : Promise.reject(new RunbookError('DRY_RUN_WRITE', `dry-run: refused to send ${request.method} ${request.path} to ${target.name}`)),
    close: () => docker.close(),
  };
}

export function readOnlyPorts(ports: Ports): Ports {
  return {
    ...ports,
    shell: {
      quote: ports.shell.quote,
      run: (request) =>
        Promise.reject(new RunbookError('DRY_RUN_WRITE', `dry-run: refused to run a local command: ${request.command}`)),
    },
    ssh: {
      exec: (target, command, options) =>
        options.readOnly === true
          ? ports.ssh.exec(target, command, options)
          : Promise.reject(new RunbookError('DRY_RUN_WRITE', `dry-run: refused to run on ${target.name}: ${command}`)),
      hostname: (target, signal) => ports.ssh.hostname(target, signal),
      download: (target, path, to) =>
        Promise.reject(new RunbookError('DRY_RUN_WRITE', `dry-run: refused to copy ${target.name}:${path} to ${to}`)),
      close: () => ports.ssh.close(),
    },
    docker: readOnlyDocker(ports.docker),
    prompt: {
      interactive: false,
      confirm: () => Promise.reject(new RunbookError('DRY_RUN_WRITE', 'dry-run: no questions are asked')),
    },
  };
}

/**
 * Ports for `check` probes in plan mode: probes are declared read-only by the runbook, so their
 * commands run (locally and over SSH), but nothing is uploaded, no one is asked anything, and the
 * Docker client still only reads.
 */
export function probePorts(ports: Ports): Ports {
  const readOnly = readOnlyPorts(ports);
  return {
    ...readOnly,
    shell: ports.shell,
    ssh: { ...readOnly.ssh, exec: (target, command, options) => ports.ssh.exec(target, command, { ...options, readOnly: true }) },
  };
}
