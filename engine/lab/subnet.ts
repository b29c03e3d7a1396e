/**
 * Chooses a free /24 for a new lab: not overlapping any host address or route, not claimed by another lab.
 * Claims are files created with O_EXCL, so two labs starting at once never get the same subnet.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { RunbookError } from '../errors.js';
import { exec } from './exec.js';
import { GLOBAL_DIR, subnetClaimFile, type Subnet } from './names.js';

/** An IPv4 range as [first, last] 32-bit numbers. */
export type Range = readonly [number, number];

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return (((parts[0]! * 256 + parts[1]!) * 256 + parts[2]!) * 256) + parts[3]!;
}

/** Parses `a.b.c.d/len` or a bare address (a /32) into a range; undefined for anything else. */
export function parseCidr(text: string): Range | undefined {
  const [ip, lenText] = text.split('/');
  const base = ipToNumber(ip ?? '');
  const len = lenText === undefined ? 32 : Number(lenText);
  if (base === undefined || !Number.isInteger(len) || len < 0 || len > 32) return undefined;
  const size = 2 ** (32 - len);
  const first = Math.floor(base / size) * size;
  return [first, first + size - 1];
}

/** The IPv4 prefixes in `ip -4 -o addr` and `ip -4 route` output ("default" covers nothing of ours). */
export function rangesInIpOutput(text: string): Range[] {
  const ranges: Range[] = [];
  for (const m of text.matchAll(/(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?)/g)) {
    const r = parseCidr(m[1]!);
    if (r !== undefined) ranges.push(r);
  }
  return ranges;
}

function overlaps(a: Range, b: Range): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

/** Every lab subnet in order of preference that overlaps none of `used`. */
export function* freeSubnets(used: readonly Range[]): Generator<Subnet> {
  for (let a = 231; a <= 250; a++) {
    for (let b = 0; b <= 255; b++) {
      const r = parseCidr(`10.${a}.${b}.0/24`)!;
      if (!used.some((u) => overlaps(u, r))) yield { a, b };
    }
  }
}

/** Claims a free subnet for `lab`; the claim file is removed by labDown. */
export async function claimSubnet(lab: string, dir: string): Promise<Subnet> {
  await mkdir(GLOBAL_DIR, { recursive: true, mode: 0o755 });
  const addr = await exec('ip', ['-4', '-o', 'addr', 'show']);
  const routes = await exec('ip', ['-4', 'route', 'show', 'table', 'all']);
  // Only a supernet wider than /8 (a stray 0.0.0.0/0) is ignored: it would forbid everything and routes nothing of ours.
  const used = rangesInIpOutput(`${addr.stdout}\n${routes.stdout}`).filter((r) => r[1] - r[0] < 2 ** 24);
  for (const s of freeSubnets(used)) {
    try {
      await writeFile(subnetClaimFile(s), `${JSON.stringify({ lab, dir, pid: process.pid })}\n`, { flag: 'wx' });
      return s;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new RunbookError('INTERNAL', 'no free /24 left in 10.231.0.0-10.250.255.0 for another lab; take a lab down first');
}
