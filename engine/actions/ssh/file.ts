/**
 * `ssh.file`: write a file on the node atomically (a new file beside it, then rename), keeping the
 * old one as `PATH.bak`. `json` with `merge: true` merges into the JSON already there — objects key
 * by key, lists as a union — which is how `/etc/docker/daemon.json` should be edited. A file whose content
 * is as wanted but whose mode is not the `mode` given is written again.
 */
import { isDeepStrictEqual } from 'node:util';
import { RunbookError } from '../../errors.js';
import type { SshTarget } from '../../io/ports.js';
import type { ActionContext, FileChange } from '../define.js';
import { defineAction } from '../define.js';
import { stagedCommand, stagedPath } from './staged-files.js';
import { commandFailed, sshTarget, withSudo } from './target.js';

export interface SshFileWith {
  path: string;
  content?: string;
  json?: Record<string, unknown>;
  merge?: boolean;
  mode?: string;
  backup?: boolean;
  sudo?: boolean;
}

function mergeJson(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const out = [...base];
    for (const v of patch) if (!out.some((e) => isDeepStrictEqual(e, v))) out.push(v);
    return out;
  }
  if (base !== null && typeof base === 'object' && !Array.isArray(base) && patch !== null && typeof patch === 'object' && !Array.isArray(patch)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) out[k] = k in out ? mergeJson(out[k], v) : v;
    return out;
  }
  return patch;
}

/** The file as it is: its mode and content, or undefined when there is none. */
interface RemoteFile {
  readonly mode: string;
  readonly content: string;
}

async function readRemote(ctx: ActionContext, target: SshTarget, args: SshFileWith): Promise<RemoteFile | undefined> {
  const quote = ctx.ports.shell.quote;
  const path = quote(args.path);
  const read = `if [ -e ${path} ]; then stat -c '%a' ${path} && cat ${path}; else exit 3; fi`;
  const result = await ctx.ports.ssh.exec(target, args.sudo === true ? withSudo(read, quote) : read, { signal: ctx.signal, readOnly: true });
  if (result.exitCode === 3) return undefined;
  if (result.exitCode !== 0) throw commandFailed(target, `reading ${args.path}`, result);
  const newline = result.stdout.indexOf('\n');
  return { mode: normalMode(result.stdout.slice(0, newline).trim()), content: result.stdout.slice(newline + 1) };
}

/** `plan --diff` compares files up to this size; a bigger one is named, not read. */
const PLAN_READ_LIMIT = 1024 * 1024;

/** The file's mode, owner and content as they are, and who would own it once written: one read-only command. */
async function readForPlan(ctx: ActionContext, target: SshTarget, args: SshFileWith): Promise<FileChange> {
  const quote = ctx.ports.shell.quote;
  const path = quote(args.path);
  const read = `if [ -e ${path} ]; then stat -c '%a %U %s' ${path} && id -un && head -c ${PLAN_READ_LIMIT} ${path}; else id -un; exit 3; fi`;
  const result = await ctx.ports.ssh.exec(target, args.sudo === true ? withSudo(read, quote) : read, { signal: ctx.signal, readOnly: true });
  if (result.exitCode !== 0 && result.exitCode !== 3) throw commandFailed(target, `reading ${args.path}`, result);
  const [first = '', second = ''] = result.stdout.split('\n', 2);
  // install(1) leaves the file to the user who writes it: the SSH user, or root through sudo.
  const writer = (result.exitCode === 3 ? first : second).trim();
  const mode = normalMode(args.mode ?? '0644');
  if (result.exitCode === 3) return { path: args.path, after: { content: desired(args, undefined, target).text, mode, owner: writer } };
  const [octal = '', owner = '', size = ''] = first.split(' ');
  if (Number(size) > PLAN_READ_LIMIT) {
    throw new RunbookError('COMMAND_FAILED', `${target.name}: ${args.path} is ${size} bytes; plan compares files up to ${PLAN_READ_LIMIT} bytes`);
  }
  const content = result.stdout.slice(first.length + second.length + 2);
  const before = { content, mode: normalMode(octal), owner };
  const { text, same } = desired(args, { content, mode: before.mode }, target);
  return { path: args.path, before, after: same ? before : { content: text, mode, owner: writer } };
}

const normalMode = (octal: string): string => octal.padStart(4, '0');

/** What the file should hold, given what it is now; `same` when nothing would change. */
function desired(args: SshFileWith, current: RemoteFile | undefined, target: SshTarget): { text: string; same: boolean } {
  const modeAsWanted = current !== undefined && (args.mode === undefined || normalMode(args.mode) === current.mode);
  if (args.json !== undefined) {
    let existing: unknown = {};
    if (current !== undefined && current.content.trim() !== '') {
      try {
        existing = JSON.parse(current.content);
      } catch {
        throw new RunbookError('COMMAND_FAILED', `${target.name}: ${args.path} is not valid JSON; fix it by hand before merging into it`);
      }
    }
    const value = args.merge === true ? mergeJson(existing, args.json) : args.json;
    return { text: JSON.stringify(value, null, 2) + '\n', same: modeAsWanted && isDeepStrictEqual(existing, value) };
  }
  const text = args.content ?? '';
  return { text, same: modeAsWanted && current?.content === text };
}

export const sshFile = defineAction<SshFileWith>({
  name: 'ssh.file',
  description: 'Write a file on the target nodes atomically, with a backup; merge JSON when asked.',
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    oneOf: [{ required: ['content'] }, { required: ['json'] }],
    properties: {
      path: { type: 'string', description: 'Absolute path on the node.' },
      content: { type: 'string', description: 'The whole file.' },
      json: { type: 'object', description: 'A JSON document to write (or merge, with merge: true).' },
      merge: { type: 'boolean', description: 'Merge `json` into the JSON already in the file.' },
      mode: { type: 'string', pattern: '^0?[0-7]{3,4}$', description: 'File mode, e.g. "0644" (default).' },
      backup: { type: 'boolean', description: 'Keep the previous file as PATH.bak (default true).' },
      sudo: { type: 'boolean', description: 'Read and write through `sudo -n`.' },
    },
  },
  mutating: true,
  idempotent: true,
  defaultTarget: 'manager',
}, {
  plan(args, ctx) {
    const target = sshTarget(ctx, 'ssh.file');
    const what = args.json !== undefined ? `${args.merge === true ? 'merge JSON into' : 'write JSON to'} ${args.path}` : `write ${args.path}`;
    return [
      { summary: `${what} on ${target.name} (atomic rename${args.backup === false ? '' : `, backup ${args.path}.bak`})` },
      ...(args.json === undefined ? [] : [{ summary: `JSON: ${JSON.stringify(args.json)}` }]),
    ];
  },
  async check(args, ctx) {
    const target = sshTarget(ctx, 'ssh.file');
    const current = await readRemote(ctx, target, args);
    const { same } = desired(args, current, target);
    return { satisfied: same, detail: same ? `${args.path} already as wanted` : `${args.path} differs` };
  },
  async planFiles(args, ctx) {
    return [await readForPlan(ctx, sshTarget(ctx, 'ssh.file'), args)];
  },
  async run(args, ctx) {
    const target = sshTarget(ctx, 'ssh.file');
    const quote = ctx.ports.shell.quote;
    const current = await readRemote(ctx, target, args);
    const { text, same } = desired(args, current, target);
    if (same) return { changed: false, path: args.path };
    const backup = args.backup !== false && current !== undefined;
    const path = quote(args.path);
    const next = quote(`${args.path}.runbook-new`);
    // The staged copy is the inner shell's $1 under sudo, which the outer shell expands.
    const write = (staged: string): string =>
      [
        backup ? `cp -p ${path} ${quote(`${args.path}.bak`)}` : 'true',
        `install -m ${quote(args.mode ?? '0644')} ${staged} ${next}`,
        `mv -f ${next} ${path}`,
      ].join(' && ');
    const line = args.sudo === true ? withSudo(write('"$1"'), quote, [stagedPath('new')]) : write(stagedPath('new'));
    const staged = stagedCommand('runbook-file', [{ name: 'new', content: text }], line);
    const result = await ctx.ports.ssh.exec(target, staged.command, { signal: ctx.signal, stdin: staged.stdin });
    if (result.exitCode !== 0) throw commandFailed(target, `writing ${args.path}`, result);
    return { changed: true, path: args.path, ...(backup ? { backup: `${args.path}.bak` } : {}) };
  },
});
