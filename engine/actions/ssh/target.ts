/**
 * What every SSH action needs first: the node it runs on, as an SSH target.
 */
import type { ActionContext } from '../define.js';
import { RunbookError } from '../../errors.js';
import type { CommandResult, SshTarget } from '../../io/ports.js';
import { sshTargetOf } from '../../io/ssh/target.js';

export function sshTarget(ctx: ActionContext, action: string): SshTarget {
  if (ctx.target.type !== 'node') {
    throw new RunbookError('INVALID', `${action} runs on nodes: give the step \`on:\` a node, group or \`manager\``);
  }
  return sshTargetOf(ctx.target.node);
}

/**
 * `sudo` without a password prompt, the command run by `sh -c` so pipes and redirections stay inside sudo.
 * `args` are shell words the calling shell expands (`"$d"/file`), the inner command's `$1`, `$2`, ….
 */
export function withSudo(command: string, quote: (s: string) => string, args: readonly string[] = []): string {
  return [`sudo -n -- sh -c ${quote(command)}`, ...(args.length === 0 ? [] : ['sh', ...args])].join(' ');
}

export function commandFailed(target: SshTarget, what: string, result: CommandResult): RunbookError {
  const tail = result.stderr.split('\n').filter((l) => l.length > 0).slice(-20);
  const how = result.signal === undefined ? `exit code ${result.exitCode}` : `signal ${result.signal}`;
  return new RunbookError('COMMAND_FAILED', `${target.name}: ${what} failed with ${how}`, { details: tail });
}

export function trimmed(result: CommandResult): { stdout: string; stderr: string; exit_code: number } {
  return { stdout: result.stdout.replace(/\r?\n$/, ''), stderr: result.stderr.replace(/\r?\n$/, ''), exit_code: result.exitCode };
}
