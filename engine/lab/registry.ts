/**
 * The lab's private registry: stack `registry` on one node, published on 5000 in host mode (no ip_vs here,
 * so no ingress mesh), data in a host directory that outlives node reboots, lab images pushed to it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exec, pollUntil } from './exec.js';
import { BUSYBOX_IMAGE, REGISTRY_IMAGE } from './images.js';
import { dockerSocket } from './node-files.js';
import type { LabNodeRecord } from './state.js';

export function registryComposeFile(dir: string): string {
  return join(dir, 'stacks', 'registry.yml');
}

export function registryDataDir(dir: string): string {
  return join(dir, 'registry-data');
}

export async function writeRegistryCompose(dir: string, node: LabNodeRecord): Promise<string> {
  const file = registryComposeFile(dir);
  await mkdir(join(dir, 'stacks'), { recursive: true });
  await mkdir(registryDataDir(dir), { recursive: true });
  const compose = {
    version: '3.8',
    services: {
      registry: {
        image: REGISTRY_IMAGE,
        ports: [{ target: 5000, published: 5000, protocol: 'tcp', mode: 'host' }],
        volumes: [{ type: 'bind', source: registryDataDir(dir), target: '/var/lib/registry' }],
        deploy: {
          replicas: 1,
          placement: { constraints: [`node.hostname == ${node.name}`] },
          restart_policy: { condition: 'any', delay: '1s' },
        },
      },
    },
  };
  await writeFile(file, stringify(compose));
  return file;
}

/** HTTP status of GET url, or 0 when nothing answers within the timeout. */
export function httpStatus(url: string, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export function registryUrl(address: string): string {
  return `http://${address}:5000/v2/`;
}

/** Deploys the stack through `manager`, waits until the registry answers, pushes the lab images to it. */
export async function deployRegistry(
  dir: string,
  manager: LabNodeRecord,
  host: LabNodeRecord,
  log: (line: string) => void,
): Promise<void> {
  const compose = await writeRegistryCompose(dir, host);
  const docker = (socket: string, args: string[]): ReturnType<typeof exec> =>
    exec('docker', ['-H', `unix://${socket}`, ...args], { timeoutMs: 120_000 });
  await docker(dockerSocket(manager), ['stack', 'deploy', '--resolve-image', 'never', '-c', compose, 'registry']);
  await pollUntil(`registry answering on ${registryUrl(host.address)}`, 90_000, async () =>
    (await httpStatus(registryUrl(host.address))) === 200 ? true : undefined,
  500);
  log(`registry answers on ${host.address}:5000`);
  const socket = dockerSocket(host);
  for (const image of [BUSYBOX_IMAGE, REGISTRY_IMAGE]) {
    const remote = `${host.address}:5000/${image}`;
    await docker(socket, ['tag', image, remote]);
    await docker(socket, ['push', remote]);
  }
  log(`pushed ${BUSYBOX_IMAGE} and ${REGISTRY_IMAGE} to ${host.address}:5000`);
}
