/**
 * `docker.stack.ls`: the stacks the docker CLI on a manager knows, parsed from
 * `docker stack ls --format '{{json .}}'`. Read-only (a declared probe: plans run it too).
 */
import { RunbookError } from '../../../errors.js';
import { defineAction } from '../../define.js';
import { commandFailed, sshTarget } from '../../ssh/target.js';

const COMMAND = "docker stack ls --format '{{json .}}'";

/** One stack as listed. */
export interface StackRow {
  readonly name: string;
  readonly services: number;
  readonly orchestrator?: string;
}

/** The CLI's JSON lines → rows. Pure. */
export function parseStackLs(stdout: string): StackRow[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      let row: { Name?: unknown; Services?: unknown; Orchestrator?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        throw new RunbookError('COMMAND_FAILED', `docker stack ls printed a line that is not JSON: ${line.slice(0, 200)}`);
      }
      return {
        name: String(row.Name ?? ''),
        services: Number(row.Services ?? 0),
        ...(typeof row.Orchestrator === 'string' && row.Orchestrator !== '' ? { orchestrator: row.Orchestrator } : {}),
      };
    });
}

export const stackLs = defineAction<Record<string, never>>({
  name: 'docker.stack.ls',
  description: 'List the stacks (name and number of services) with the docker CLI on a manager.',
  with: { type: 'object', additionalProperties: false, properties: {} },
  mutating: false,
  planReads: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(_args, ctx) {
    return [{ summary: `list stacks on ${sshTarget(ctx, 'docker.stack.ls').name}`, call: COMMAND }];
  },
  async run(_args, ctx) {
    const target = sshTarget(ctx, 'docker.stack.ls');
    const result = await ctx.ports.ssh.exec(target, COMMAND, { signal: ctx.signal, readOnly: true });
    if (result.exitCode !== 0) throw commandFailed(target, 'docker stack ls', result);
    const stacks = parseStackLs(result.stdout);
    return { stacks, names: stacks.map((s) => s.name), count: stacks.length };
  },
});
