/**
 * The lab's images, built without any registry or internet: root directories assembled from host binaries
 * (busybox-static; Debian's docker-registry with the libraries it links), packed as tars and imported.
 */
import { copyFile, mkdir, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exec } from './exec.js';

export const BUSYBOX_IMAGE = 'lab/busybox:1';
export const REGISTRY_IMAGE = 'lab/registry:1';

/** Paths of the packed image tars, ready for `docker import`. */
export interface LabImages {
  readonly busybox: string;
  readonly registry?: string;
}

const REGISTRY_CONFIG = `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
`;

async function busyboxRoot(root: string): Promise<void> {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'var', 'root']) await mkdir(join(root, d), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  const applets = (await exec('/bin/busybox', ['--list'])).stdout.split('\n').filter((a) => a !== '' && a !== 'busybox');
  for (const a of applets) await symlink('busybox', join(root, 'bin', a));
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\n');
}

/** The shared libraries (and loader) a dynamically linked binary needs, from `ldd`. */
async function libraries(binary: string): Promise<string[]> {
  const out = (await exec('ldd', [binary], { allowFail: true })).stdout;
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1] !== undefined) libs.push(m[1]);
  }
  return libs;
}

async function pack(root: string, tar: string): Promise<void> {
  await exec('tar', ['-C', root, '-cf', tar, '.']);
}

/** Builds the image tars under `dir`/images. */
export async function buildImages(dir: string, withRegistry: boolean): Promise<LabImages> {
  const base = join(dir, 'images');
  const bbRoot = join(base, 'busybox');
  await busyboxRoot(bbRoot);
  const busybox = join(base, 'busybox.tar');
  await pack(bbRoot, busybox);
  if (!withRegistry) return { busybox };

  const regRoot = join(base, 'registry');
  await busyboxRoot(regRoot);
  await copyFile('/usr/bin/docker-registry', join(regRoot, 'bin', 'registry'));
  await chmod(join(regRoot, 'bin', 'registry'), 0o755);
  for (const lib of await libraries('/usr/bin/docker-registry')) {
    await mkdir(join(regRoot, dirname(lib)), { recursive: true });
    await copyFile(lib, join(regRoot, lib));
  }
  await mkdir(join(regRoot, 'etc', 'docker', 'registry'), { recursive: true });
  await mkdir(join(regRoot, 'var', 'lib', 'registry'), { recursive: true });
  await writeFile(join(regRoot, 'etc', 'docker', 'registry', 'config.yml'), REGISTRY_CONFIG);
  const registry = join(base, 'registry.tar');
  await pack(regRoot, registry);
  return { busybox, registry };
}

/** Imports an image tar into the node's dockerd. */
export async function importImage(socket: string, tar: string, ref: string): Promise<void> {
  const changes =
    ref === REGISTRY_IMAGE
      ? ['CMD ["/bin/registry", "serve", "/etc/docker/registry/config.yml"]', 'EXPOSE 5000/tcp']
      : ['CMD ["/bin/sh"]'];
  await exec(
    'docker',
    ['-H', `unix://${socket}`, 'import', ...changes.flatMap((c) => ['--change', c]), tar, ref],
    { timeoutMs: 120_000 },
  );
}
