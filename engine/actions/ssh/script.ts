/**
 * `ssh.script`: upload a local script by SFTP into a private temporary directory on the node, run it
 * with quoted arguments and stdin closed, and remove it whatever happened.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';
import { commandFailed, sshTarget, trimmed, withSudo } from './target.js';

export interface SshScriptWith {
  script: string;
  args?: string[];
  interpreter?: string;
  sudo?: boolean;
  ok_codes?: number[];
}

export const sshScript = defineAction<SshScriptWith>({
  name: 'ssh.script',
  description: 'Upload a local script to the target nodes, run it with arguments, remove it.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['script'],
    properties: {
      script: { type: 'string', description: 'Local path, relative to the runbook file.' },
      args: { type: 'array', items: { type: 'string' }, description: 'Arguments, each passed quoted.' },
      interpreter: { type: 'string', description: 'Program that runs the script (default bash).' },
      sudo: { type: 'boolean', description: 'Run through `sudo -n`.' },
      ok_codes: { type: 'array', items: { type: 'integer' }, description: 'Exit codes that count as success (default [0]).' },
    },
  },
  mutating: true,
  idempotent: false,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const target = sshTarget(ctx, 'ssh.script');
    const file = resolve(ctx.baseDir, args.script);
    const quote = ctx.ports.shell.quote;
    const run = [args.interpreter ?? 'bash', `$DIR/${basename(file)}`, ...(args.args ?? []).map(quote)].join(' ');
    return [
      { summary: `upload ${file} to ${target.name} (SFTP, mode 0700, in DIR=$(mktemp -d))` },
      { summary: 'run it, stdin closed', call: args.sudo === true ? withSudo(run, quote) : run },
      { summary: 'remove DIR', call: 'rm -rf "$DIR"' },
    ];
  },
  async run(args, ctx) {
    const target = sshTarget(ctx, 'ssh.script');
    const file = resolve(ctx.baseDir, args.script);
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (e) {
      throw new RunbookError('INVALID', `ssh.script: cannot read ${file}: ${(e as Error).message}`);
    }
    const quote = ctx.ports.shell.quote;
    const made = await ctx.ports.ssh.exec(target, 'mktemp -d /tmp/runbook-script.XXXXXX', { signal: ctx.signal });
    if (made.exitCode !== 0) throw commandFailed(target, 'mktemp', made);
    const dir = made.stdout.trim();
    const remote = `${dir}/${basename(file)}`;
    try {
      await ctx.ports.ssh.upload(target, content, remote, 0o700, ctx.signal);
      const run = [quote(args.interpreter ?? 'bash'), quote(remote), ...(args.args ?? []).map(quote)].join(' ');
      const result = await ctx.ports.ssh.exec(target, args.sudo === true ? withSudo(run, quote) : run, {
        signal: ctx.signal,
        onLine: (stream, line) => ctx.log(stream, line),
      });
      if (!(args.ok_codes ?? [0]).includes(result.exitCode)) throw commandFailed(target, basename(file), result);
      return trimmed(result);
    } finally {
      await ctx.ports.ssh.exec(target, `rm -rf ${quote(dir)}`, { signal: new AbortController().signal }).catch(() => undefined);
    }
  },
});
