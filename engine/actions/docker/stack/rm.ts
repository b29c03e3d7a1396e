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
      const said = `${result.stdout}\n${result.stderr}`;
      if (!NOTHING_FOUND.test(said)) {
        removed = true;
        for (const line of said.split('\n').filter((l) => l.trim() !== '')) ctx.log(result.exitCode === 0 ? 'stdout' : 'stderr', line);
        return { done: false, waiting: result.exitCode === 0 ? 'removal in progress' : `removal incomplete (${said.trim().split('\n').pop() ?? ''})` };
      }
      const left = await leftovers(api, args.stack);
      return left.length === 0 ? { done: true, value: undefined } : { done: false, waiting: `still there: ${left.join(', ')}` };
    });
    return { stack: args.stack, removed, attempts };
  },
});
