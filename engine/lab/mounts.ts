/**
 * Finds and removes mounts a node leaves behind (overlay layers, namespace bind mounts) when its daemons die
 * without cleaning up: a hard power-off, or labDown after a crash.
 */
import { readFile } from 'node:fs/promises';
import { exec } from './exec.js';

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points at or below `prefix`, deepest first. */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const base = prefix.replace(/\/+$/, '');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescapeMountPath)
    .filter((p) => p === base || p.startsWith(`${base}/`));
  return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}

/** Unmounts everything at or below `prefix`; a busy mount is detached lazily. Returns what was unmounted. */
export async function unmountUnder(prefix: string): Promise<string[]> {
  const done: string[] = [];
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(prefix);
    if (points.length === 0) break;
    for (const p of points) {
      const r = await exec('umount', [p], { allowFail: true, timeoutMs: 20_000 });
      if (r.code !== 0) await exec('umount', ['-l', p], { allowFail: true, timeoutMs: 20_000 });
      done.push(p);
    }
  }
  return [...new Set(done)];
}
