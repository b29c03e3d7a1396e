/**
 * Signals only the lab's own processes: by recorded pid, after checking /proc/PID/cmdline still names the lab's
 * files (a pid can be reused by an unrelated process after a crash or reboot).
 */
import { readFile } from 'node:fs/promises';

/** The process's command line with NULs as spaces, or undefined when it is gone or a zombie. */
export async function cmdline(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain ')'.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** True when `pid` runs and its command line contains `match`. */
export async function isOurs(pid: number, match: string): Promise<boolean> {
  return (await cmdline(pid))?.includes(match) ?? false;
}

/**
 * True when a process just started as `match` has exited or become another program. A command line read
 * while the process is between exec calls (sh → nsenter → daemon) can be empty: that is not an exit.
 */
export async function hasExited(pid: number, match: string): Promise<boolean> {
  const line = await cmdline(pid);
  return line === undefined || (line.trim() !== '' && !line.includes(match));
}

/** Sends `signal` to `pid` only if it is still ours; false when it was not. */
export async function signalOurs(pid: number, match: string, signal: NodeJS.Signals): Promise<boolean> {
  if (!(await isOurs(pid, match))) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `pid` is no longer ours; false on timeout. */
export async function waitGone(pid: number, match: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isOurs(pid, match)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
