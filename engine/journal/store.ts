/**
 * Run directories under `STATE_DIR/runs/`. Each holds one journal; everything else about a run is
 * derived from it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RunbookError, isRunbookError } from '../errors.js';
import { parseJournal } from './records.js';
import { replay, type RunState } from './replay.js';
import { JOURNAL_FILE } from './writer.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A sortable, unique run id: UTC time to the second and 24 random bits, e.g. `20261122T041233Z-3f9a1c`. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}

/** Creates `stateDir/runs/runId/`, private to the user (0700) like the directories above it that it creates. */
export async function createRunDir(stateDir: string, runId: string): Promise<string> {
  checkRunId(runId);
  const dir = join(runsDir(stateDir), runId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to directories it creates; a reused run directory is tightened too.
  await chmod(dir, 0o700);
  return dir;
}

/** Reads and replays one run. `torn` tells that its last line was cut short by a crash. */
export async function readRun(stateDir: string, runId: string): Promise<{ state: RunState; torn: boolean; dir: string }> {
  checkRunId(runId);
  const dir = join(runsDir(stateDir), runId);
  const path = join(dir, JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RunbookError('NOT_FOUND', `no run "${runId}" in ${runsDir(stateDir)}; \`runbook runs\` lists the runs`);
    }
    throw e;
  }
  const { records, torn } = parseJournal(text, path);
  if (records.length === 0) {
    throw new RunbookError('NOT_FOUND', `run "${runId}" recorded nothing (its journal ${path} is empty)`);
  }
  return { state: replay(records), torn, dir };
}

/**
 * All runs, newest first. Directories without a journal, or with an empty one, are skipped; an
 * unreadable journal is reported through `onSkip` rather than hiding every other run.
 */
export async function listRuns(
  stateDir: string,
  options: { onSkip?: (runId: string, error: RunbookError) => void } = {},
): Promise<RunState[]> {
  let names: string[];
  try {
    names = (await readdir(runsDir(stateDir), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const runs: RunState[] = [];
  for (const name of names) {
    if (!RUN_ID.test(name)) continue;
    try {
      runs.push((await readRun(stateDir, name)).state);
    } catch (e) {
      if (isRunbookError(e) && e.code === 'NOT_FOUND') continue;
      if (isRunbookError(e)) {
        options.onSkip?.(name, e);
        continue;
      }
      throw e;
    }
  }
  return runs.sort((a, b) => compare(b.startedAt, a.startedAt) || compare(b.runId, a.runId));
}

function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new RunbookError('NOT_FOUND', `"${runId}" is not a run id; run ids look like 20261122T041233Z-3f9a1c`);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
