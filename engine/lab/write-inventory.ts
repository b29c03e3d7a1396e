/**
 * The inventory the lab writes for itself, in the format of the product's inventory files, so runbooks run
 * against a lab exactly as against a real cluster. Power commands call this CLI's `lab power`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { shellQuote } from './exec.js';
import { clientKey, dockerSocket, knownHostsFile } from './node-files.js';
import { registryUrl } from './registry.js';
import { runbookBin } from './repo-root.js';
import type { LabState } from './state.js';

/** A stack the inventory lists besides the registry. */
export interface InventoryStack {
  readonly name: string;
  readonly compose: string;
  readonly health?: string;
}

export function inventoryFile(dir: string): string {
  return join(dir, 'inventory.yaml');
}

/** `{node}` stays literal: the engine substitutes the quoted node name. */
export function powerCommand(state: LabState, onOff: 'on' | 'off'): string {
  return [process.execPath, runbookBin(), 'lab', 'power', onOff, '{node}', '--name', state.name, '--dir', state.dir]
    .map((part) => (part === '{node}' ? part : shellQuote(part)))
    .join(' ');
}

export async function writeInventory(
  state: LabState,
  groups: Readonly<Record<string, readonly string[]>>,
  stacks: readonly InventoryStack[],
): Promise<string> {
  const registry = state.registry;
  const inventory = {
    cluster: state.name,
    defaults: {
      ssh: { user: 'root', port: 22, identity: clientKey(state.dir), known_hosts: knownHostsFile(state.dir) },
      power: { off: powerCommand(state, 'off'), on: powerCommand(state, 'on') },
    },
    nodes: state.nodes.map((n) => ({
      name: n.name,
      address: n.address,
      role: n.role,
      labels: { ...n.labels },
      docker: { socket: dockerSocket(n) },
    })),
    groups: {
      ...Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, [...v]])),
      ...(registry === undefined ? {} : { registry: [registry.node] }),
    },
    stacks: [
      ...(registry === undefined
        ? []
        : [{ name: 'registry', compose: join(state.dir, 'stacks', 'registry.yml'), health: registryUrl(registry.address) }]),
      ...stacks.map((s) => ({ ...s })),
    ],
  };
  const file = inventoryFile(state.dir);
  await writeFile(file, stringify(inventory, { lineWidth: 0 }));
  return file;
}
