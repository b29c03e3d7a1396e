/**
 * `ssh.script`: send a local script into a private temporary directory on the node, run it with quoted
 * arguments and stdin closed, and remove it whatever happened — also when the runner is killed meanwhile.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';
import { STAGE_DIR, stagedCommand, stagedPath } from './staged-files.js';
import { commandFailed, sshTarget, trimmed, withSudo } from './target.js';

/** The script's name on the node: its own, reduced to characters a path word needs no quoting for. */
function scriptName(file: string): string {
  return basename(file).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'script';
}

export interface SshScriptWith {
  script: string;
  args?: string[];
  interpreter?: string;
  sudo?: boolean;
  ok_codes?: number[];
}

export const sshScript = defineAction<SshScriptWith>({
  name: 'ssh.script',
  description: 'Send a local script to the target nodes, run it with arguments, remove it.',
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
    const run = [args.interpreter ?? 'bash', `${STAGE_DIR}/${scriptName(file)}`, ...(args.args ?? []).map(quote)].join(' ');
    return [
      { summary: `send ${file} to ${target.name} (on the command's stdin, mode 0700, into DIR=$(mktemp -d))` },
      { summary: 'run it, stdin closed', call: args.sudo === true ? withSudo(run, quote) : run },
      { summary: 'remove DIR when the script ends, also if the connection drops', call: 'rm -rf "$DIR"' },
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
    const name = scriptName(file);
    const argv = (path: string): string => [quote(args.interpreter ?? 'bash'), path, ...(args.args ?? []).map(quote)].join(' ');
    // Under sudo the script's path is the inner shell's $1, which the outer shell expands.
    const line = args.sudo === true ? withSudo(argv('"$1"'), quote, [stagedPath(name)]) : argv(stagedPath(name));
    const staged = stagedCommand('runbook-script', [{ name, content, mode: '0700' }], line);
    const result = await ctx.ports.ssh.exec(target, staged.command, {
      signal: ctx.signal,
      stdin: staged.stdin,
      onLine: (stream, text) => ctx.log(stream, text),
    });
    if (!(args.ok_codes ?? [0]).includes(result.exitCode)) throw commandFailed(target, basename(file), result);
    return trimmed(result);
  },
});
