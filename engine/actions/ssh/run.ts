/**
 * `ssh.run`: a command on each target node over the node's shared SSH connection.
 * `read_only: true` declares it a probe, which a dry-run is allowed to run.
 */
import { defineAction } from '../define.js';
import { commandFailed, sshTarget, trimmed, withSudo } from './target.js';

export interface SshRunWith {
  command: string;
  sudo?: boolean;
  stdin?: string;
  ok_codes?: number[];
  read_only?: boolean;
}

export const sshRun = defineAction<SshRunWith>({
  name: 'ssh.run',
  description: 'Run a command on the target nodes over SSH.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['command'],
    properties: {
      command: { type: 'string', description: 'Command line, run by the remote login shell.' },
      sudo: { type: 'boolean', description: 'Run through `sudo -n` (no password prompt).' },
      stdin: { type: 'string', description: 'Written to the command’s stdin (closed at once otherwise).' },
      ok_codes: { type: 'array', items: { type: 'integer' }, description: 'Exit codes that count as success (default [0]).' },
      read_only: { type: 'boolean', description: 'Declares the command a read-only probe: plan runs it too.' },
    },
  },
  shellFields: ['command'],
  planReads: (args) => args.read_only === true,
  mutating: true,
  idempotent: false,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const target = sshTarget(ctx, 'ssh.run');
    const command = args.sudo === true ? withSudo(args.command, ctx.ports.shell.quote) : args.command;
    return [{ summary: `ssh ${target.user}@${target.host}${args.read_only === true ? ' (read-only probe)' : ''}`, call: command }];
  },
  async run(args, ctx) {
    const target = sshTarget(ctx, 'ssh.run');
    const command = args.sudo === true ? withSudo(args.command, ctx.ports.shell.quote) : args.command;
    const result = await ctx.ports.ssh.exec(target, command, {
      signal: ctx.signal,
      ...(args.stdin === undefined ? {} : { stdin: args.stdin }),
      onLine: (stream, line) => ctx.log(stream, line),
      ...(args.read_only === true ? { readOnly: true } : {}),
    });
    if (!(args.ok_codes ?? [0]).includes(result.exitCode)) throw commandFailed(target, 'command', result);
    return trimmed(result);
  },
});
