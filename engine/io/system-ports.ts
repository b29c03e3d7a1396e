/**
 * The real ports of a CLI process: zx for local commands, the wall clock, the terminal for questions,
 * ssh2 for SSH, docker-modem for the Docker Engine API.
 */
import type { Ports } from './ports.js';
import { systemClock } from './clock.js';
import { createTtyPrompt } from './tty-prompt.js';
import { createZxShell } from './zx-shell.js';
import { SshPool } from './ssh/pool.js';
import { createDockerClient } from './docker/client.js';

export function systemPorts(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Ports {
  const agent = process.env['SSH_AUTH_SOCK'];
  return {
    shell: createZxShell(),
    clock: systemClock,
    prompt: createTtyPrompt(stdin, stderr),
    ssh: new SshPool(agent === undefined || agent === '' ? {} : { agentSocket: agent }),
    docker: createDockerClient(agent === undefined || agent === '' ? {} : { agentSocket: agent }),
  };
}
