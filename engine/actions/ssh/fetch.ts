/**
 * `ssh.fetch`: copy a file from a node into the run directory over the node's SFTP session (the
 * inventory's user, key and known_hosts, like every SSH action), and check its sha256 when one is given.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, rename, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { RunbookError } from '../../errors.js';
import { defineAction } from '../define.js';
import { sshTarget } from './target.js';

export interface SshFetchWith {
  path: string;
  to?: string;
  sha256?: string;
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** `to` is relative to the run directory; by default the node's name and the file's name. */
function destination(args: SshFetchWith, node: string, runDir: string): string {
  const to = args.to ?? `${node}-${basename(args.path)}`;
  return isAbsolute(to) ? to : join(runDir, to);
}

export const sshFetch = defineAction<SshFetchWith>({
  name: 'ssh.fetch',
  description: 'Copy a file from the target node into the run directory over SFTP; check its sha256.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', description: 'Absolute path of the file on the node.' },
      to: { type: 'string', description: 'Local file, relative to the run directory (default NODE-BASENAME).' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Expected sha256: the step fails when the copy differs.' },
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const target = sshTarget(ctx, 'ssh.fetch');
    return [{ summary: `copy ${target.name}:${args.path} to ${destination(args, target.name, ctx.runDir)} (SFTP, mode 0600)${args.sha256 === undefined ? '' : ', sha256 checked'}` }];
  },
  async check(args, ctx) {
    const target = sshTarget(ctx, 'ssh.fetch');
    const to = destination(args, target.name, ctx.runDir);
    if (args.sha256 === undefined || !existsSync(to)) return { satisfied: false };
    const same = (await sha256Of(to)) === args.sha256;
    return { satisfied: same, detail: same ? `${to} already holds it` : `${to} differs` };
  },
  async run(args, ctx) {
    const target = sshTarget(ctx, 'ssh.fetch');
    const to = destination(args, target.name, ctx.runDir);
    const partial = `${to}.part`;
    await ctx.ports.ssh.download(target, args.path, partial, ctx.signal);
    await chmod(partial, 0o600);
    const sha256 = await sha256Of(partial);
    if (args.sha256 !== undefined && sha256 !== args.sha256) {
      throw new RunbookError('COMMAND_FAILED', `${target.name}:${args.path} arrived with sha256 ${sha256}, not ${args.sha256}`);
    }
    await rename(partial, to);
    return { path: to, sha256, bytes: (await stat(to)).size };
  },
});
