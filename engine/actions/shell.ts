/**
 * `shell`: a local command through the machine's shell (zx). Values interpolated into `command`
 * are quoted by the interpolator before the action sees them.
 */
import { RunbookError } from '../errors.js';
import { defineAction } from './define.js';

export interface ShellWith {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Exit codes that count as success (default: only 0). */
  ok_codes?: number[];
}

export const shell = defineAction<ShellWith>({
  name: 'shell',
  description: 'Run a command on the machine running runbook.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['command'],
    properties: {
      command: { type: 'string', description: 'Shell command line.' },
      cwd: { type: 'string', description: 'Working directory.' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables.' },
      ok_codes: { type: 'array', items: { type: 'integer' }, description: 'Exit codes that count as success.' },
    },
  },
  shellFields: ['command'],
  mutating: true,
  idempotent: false,
  defaultTarget: 'local',
}, {
  plan: (args) => [{ summary: 'run locally', call: args.command }],
  async run(args, ctx) {
    const result = await ctx.ports.shell.run({
      command: args.command,
      ...(args.cwd === undefined ? {} : { cwd: args.cwd }),
      ...(args.env === undefined ? {} : { env: args.env }),
      signal: ctx.signal,
      onLine: (stream, line) => ctx.log(stream, line),
    });
    const okCodes = args.ok_codes ?? [0];
    const outputs = {
      stdout: result.stdout.replace(/\r?\n$/, ''),
      stderr: result.stderr.replace(/\r?\n$/, ''),
      exit_code: result.exitCode,
    };
    if (!okCodes.includes(result.exitCode)) {
      const tail = result.stderr.split('\n').filter((l) => l.length > 0).slice(-20);
      const how = result.signal === undefined ? `exit code ${result.exitCode}` : `signal ${result.signal}`;
      throw new RunbookError('COMMAND_FAILED', `command failed with ${how}`, { details: tail });
    }
    return outputs;
  },
});
