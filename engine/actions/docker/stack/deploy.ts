/**
 * `docker.stack.deploy`: stacks are a feature of the docker CLI, so it runs on a manager over SSH.
 * The compose file(s) go on the command's stdin into a private `mktemp -d` directory (0600), the CLI
 * deploys, the directory is removed whatever happened (a killed runner included), then the stack's
 * services are polled until converged.
 * Deploying the same file again changes nothing, so the action is idempotent and has no check.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { RunbookError } from '../../../errors.js';
import { defineAction } from '../../define.js';
import { STAGE_DIR, stagedCommand, stagedPath } from '../../ssh/staged-files.js';
import { commandFailed, sshTarget, trimmed } from '../../ssh/target.js';
import { engineApi } from '../engine-api.js';
import { durationMs, durationSchema } from '../../poll.js';
import { listServices, serviceRow, waitConverged } from '../service/services.js';

export interface StackDeployWith {
  stack: string;
  compose: string | string[];
  with_registry_auth?: boolean;
  prune?: boolean;
  resolve_image?: 'always' | 'changed' | 'never';
  env?: Record<string, string>;
  wait?: boolean;
  timeout?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function composeFiles(args: StackDeployWith): string[] {
  return Array.isArray(args.compose) ? args.compose : [args.compose];
}

/** The CLI command line, with the staged files' paths (shell words). */
function deployCommand(args: StackDeployWith, remoteFiles: readonly string[], quote: (s: string) => string): string {
  const env = Object.entries(args.env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new RunbookError('INVALID', `docker.stack.deploy: env name "${k}" is not a variable name`);
    return `${k}=${quote(v)}`;
  });
  return [
    ...(env.length === 0 ? [] : ['env', ...env]),
    'docker stack deploy',
    ...remoteFiles.map((f) => `--compose-file ${f}`),
    ...(args.with_registry_auth === true ? ['--with-registry-auth'] : []),
    ...(args.prune === true ? ['--prune'] : []),
    ...(args.resolve_image === undefined ? [] : [`--resolve-image ${args.resolve_image}`]),
    quote(args.stack),
  ].join(' ');
}

/** The i-th compose file's name on the node: its index, then its own name in characters a path word needs no quoting for. */
function stagedName(file: string, index: number): string {
  return `${index}-${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export const stackDeploy = defineAction<StackDeployWith>({
  name: 'docker.stack.deploy',
  description: 'Deploy a stack from compose file(s) with the docker CLI on a manager, then wait until it converged.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['stack', 'compose'],
    properties: {
      stack: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'Stack name.' },
      compose: {
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
        description: 'Local compose file(s), relative to the runbook or absolute; later files override earlier ones.',
      },
      with_registry_auth: { type: 'boolean', description: 'Send registry credentials to the nodes (private registries).' },
      prune: { type: 'boolean', description: 'Remove services no longer in the file.' },
      resolve_image: { type: 'string', enum: ['always', 'changed', 'never'], description: 'Ask the registry for digests (CLI default: always).' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Variables for substitution in the compose file (the CLI reads no .env file).' },
      wait: { type: 'boolean', description: 'Wait until every service of the stack converged (default true).' },
      timeout: durationSchema('How long to wait for convergence (default: the step’s timeout).'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const target = sshTarget(ctx, 'docker.stack.deploy');
    const files = composeFiles(args).map((f) => resolve(ctx.baseDir, f));
    return [
      { summary: `send ${files.join(', ')} to ${target.name} (on the command's stdin, mode 0600, into DIR=$(mktemp -d))` },
      { summary: `deploy stack ${args.stack}`, call: deployCommand(args, files.map((f, i) => `${STAGE_DIR}/${stagedName(f, i)}`), ctx.ports.shell.quote) },
      { summary: 'remove DIR when the deploy ends, also if the connection drops', call: 'rm -rf "$DIR"' },
      ...(args.wait === false ? [] : [{ summary: `wait until the services of ${args.stack} converged`, call: `GET /services?status=true&filters={"label":["com.docker.stack.namespace=${args.stack}"]}` }]),
    ];
  },
  async run(args, ctx) {
    const target = sshTarget(ctx, 'docker.stack.deploy');
    const quote = ctx.ports.shell.quote;
    const files = composeFiles(args).map((f) => resolve(ctx.baseDir, f));
    const contents = await Promise.all(
      files.map((f) =>
        readFile(f).catch((e: Error) => {
          throw new RunbookError('INVALID', `docker.stack.deploy: cannot read ${f}: ${e.message}`);
        }),
      ),
    );
    const staged = files.map((f, i) => ({ name: stagedName(f, i), content: contents[i] as Buffer }));
    const command = stagedCommand('runbook-stack', staged, deployCommand(args, staged.map((f) => stagedPath(f.name)), quote));
    const result = await ctx.ports.ssh.exec(target, command.command, {
      signal: ctx.signal,
      stdin: command.stdin,
      onLine: (stream, line) => ctx.log(stream, line),
    });
    if (result.exitCode !== 0) throw commandFailed(target, `docker stack deploy ${args.stack}`, result);
    const output = trimmed(result);
    if (args.wait === false) return { stack: args.stack, stdout: output.stdout };
    const api = engineApi(ctx, 'docker.stack.deploy');
    const timeoutMs = durationMs(args.timeout);
    const services = await waitConverged(ctx, api, () => listServices(api, { stack: args.stack }), {
      what: `stack ${args.stack} converged`,
      intervalMs: 2000,
      tasks: true,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    return { stack: args.stack, stdout: output.stdout, services: services.map(serviceRow) };
  },
});
