/**
 * `docker.stack.rm`: `docker stack rm` on a manager, repeated until the CLI says "Nothing found in
 * stack" — network removal fails while the stack's tasks are still shutting down — then verified
 * through the API: no service and no network keeps the stack's label. The CLI also deletes the
 * stack's secrets and configs: snapshot what you need first (`docker.service.export`).
 */
import { defineAction } from '../../define.js';
import { sshTarget } from '../../ssh/target.js';
import type { EngineApi } from '../engine-api.js';
import { engineApi, filters } from '../engine-api.js';
import { durationMs, durationSchema, pollUntil } from '../../poll.js';
import { listServices } from '../service/services.js';
import { STACK_LABEL } from '../swarm-types.js';

export interface StackRmWith {
  stack: string;
  timeout?: string;
}

const NOTHING_FOUND = /Nothing found in stack/;
// A pass that comes to a network an earlier pass already removed (network removal settles after the
// CLI returns) fails with "not found": that network is gone, which is what this action wants. The CLI
// glues its closing "failed to remove some resources" onto that line, without a newline.
const GONE_NETWORK = /Failed to remove network (\S+): Error response from daemon: network \1 not found/g;
const SOME_FAILED = /failed to remove some resources from stack: \S+/g;

/** One pass's output: its lines, and whether anything but an already-gone network failed. */
export function readStackRm(stdout: string, stderr: string, exitCode: number): { lines: string[]; failed: boolean; gone: string[] } {
  const gone: string[] = [];
  let said = `${stdout}\n${stderr}`.replace(GONE_NETWORK, (_all, id: string) => {
    gone.push(id);
    return '\n';
  });
  if (gone.length > 0 && !/Failed to remove/.test(said)) said = said.replace(SOME_FAILED, '');
  const lines = said.split('\n').filter((l) => l.trim() !== '');
  const failed = exitCode !== 0 && (gone.length === 0 || lines.some((l) => /fail|error/i.test(l)));
  return { lines, failed, gone };
}

async function leftovers(api: EngineApi, stack: string): Promise<string[]> {
  const services = await listServices(api, { stack });
  const networks = await api.get<{ Name: string }[]>('/networks', { filters: filters({ label: [`${STACK_LABEL}=${stack}`] }) });
  return [...services.map((s) => `service ${s.Spec.Name}`), ...networks.map((n) => `network ${n.Name}`)];
}

export const stackRm = defineAction<StackRmWith>({
  name: 'docker.stack.rm',
  description: 'Remove a stack (services, networks, secrets, configs) with the docker CLI on a manager; done when nothing of it is left.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['stack'],
    properties: {
      stack: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'Stack name.' },
      timeout: durationSchema('Give up when the stack is not gone after this long (default 5m).'),
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    return [
      { summary: `remove stack ${args.stack}, repeated until "Nothing found in stack"`, call: `docker stack rm ${ctx.ports.shell.quote(args.stack)}` },
      { summary: 'verify nothing keeps the label', call: `GET /services and GET /networks?filters={"label":["${STACK_LABEL}=${args.stack}"]}` },
    ];
  },
  async check(args, ctx) {
    const left = await leftovers(engineApi(ctx, 'docker.stack.rm'), args.stack);
    return left.length === 0 ? { satisfied: true, detail: `nothing of stack ${args.stack} is left` } : { satisfied: false, detail: left.join(', ') };
  },
  async run(args, ctx) {
    const target = sshTarget(ctx, 'docker.stack.rm');
    const api = engineApi(ctx, 'docker.stack.rm');
    const command = `docker stack rm ${ctx.ports.shell.quote(args.stack)}`;
    let attempts = 0;
    let removed = false;
    await pollUntil(ctx, { what: `stack ${args.stack} removed`, intervalMs: 2000, timeoutMs: durationMs(args.timeout, 5 * 60_000) }, async () => {
      attempts += 1;
      const result = await ctx.ports.ssh.exec(target, command, { signal: ctx.signal });
      if (!NOTHING_FOUND.test(`${result.stdout}\n${result.stderr}`)) {
        removed = true;
        const pass = readStackRm(result.stdout, result.stderr, result.exitCode);
        for (const line of pass.lines) ctx.log(pass.failed ? 'stderr' : 'stdout', line);
        for (const id of pass.gone) ctx.log('info', `network ${id} already removed`);
        return { done: false, waiting: pass.failed ? `removal incomplete (${pass.lines.at(-1) ?? ''})` : 'removal in progress' };
      }
      const left = await leftovers(api, args.stack);
      return left.length === 0 ? { done: true, value: undefined } : { done: false, waiting: `still there: ${left.join(', ')}` };
    });
    return { stack: args.stack, removed, attempts };
  },
});
