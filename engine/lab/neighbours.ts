/**
 * The kernel keeps one ARP table for every network namespace of the machine, limited by
 * `net.ipv4.neigh.default.gc_thresh3` (1,024 entries by default). The nodes of a swarm all talk to each other
 * (gossip, raft, overlay), so a lab of N dockerd nodes holds about 2·N² entries: at 50 nodes about 5,000, far
 * past the limit, and new connections to the nodes fail with "No route to host". Before its nodes start, a lab
 * raises the limits to what it will need beside what the machine holds already; they are the host's settings
 * and stay raised.
 */
import { readFile, writeFile } from 'node:fs/promises';

const DIR = '/proc/sys/net/ipv4/neigh/default';

export interface NeighbourLimits {
  /** Above it, entries older than 5 s are collected. */
  readonly gcThresh2: number;
  /** The hard limit: no entry is made above it. */
  readonly gcThresh3: number;
}

/** ARP entries a lab of `nodes` needs: every node meets every other on eth0 and on the overlay; a light node meets the host only. */
export function entriesNeeded(nodes: number, light: boolean): number {
  return light ? 2 * nodes : 2 * nodes * (nodes + 2);
}

/** The limits to set: room for what is there and what the lab adds, twice over for the hard limit; never lower. */
export function limitsFor(current: NeighbourLimits, entriesNow: number, nodes: number, light: boolean): NeighbourLimits {
  const wanted = entriesNow + entriesNeeded(nodes, light);
  return { gcThresh2: Math.max(current.gcThresh2, wanted), gcThresh3: Math.max(current.gcThresh3, 2 * wanted) };
}

async function readNumber(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8')).trim());
}

/** Entries in the ARP table now, of all namespaces: the first column of /proc/net/stat/arp_cache, in hex. */
async function entriesNow(): Promise<number> {
  const line = (await readFile('/proc/net/stat/arp_cache', 'utf8')).split('\n')[1] ?? '';
  return Number.parseInt(line.trim().split(/\s+/)[0] ?? '0', 16) || 0;
}

/** Raises the ARP table's limits for a lab of `nodes`; returns them when they changed. */
export async function makeRoomForNeighbours(nodes: number, light: boolean): Promise<NeighbourLimits | undefined> {
  const current = { gcThresh2: await readNumber(`${DIR}/gc_thresh2`), gcThresh3: await readNumber(`${DIR}/gc_thresh3`) };
  const next = limitsFor(current, await entriesNow(), nodes, light);
  if (next.gcThresh2 === current.gcThresh2 && next.gcThresh3 === current.gcThresh3) return undefined;
  // The hard limit first, so that the soft one never stands above it.
  await writeFile(`${DIR}/gc_thresh3`, `${next.gcThresh3}\n`);
  await writeFile(`${DIR}/gc_thresh2`, `${next.gcThresh2}\n`);
  return next;
}
