/**
 * The TLS files of a tcp endpoint, read when the node is first called: a file gone since the inventory loaded
 * and a key that is not the certificate's fail with one line naming the node and the file, before any
 * connection is made; and the inventory resolves `~` and relative TLS paths and refuses a missing file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../../engine/io/docker/client.js';
import type { DockerTarget } from '../../../engine/io/ports.js';
import { loadInventory } from '../../../engine/inventory/load.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-tls-'));
const signal = new AbortController().signal;

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function selfSigned(name: string): void {
  openssl(['req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`]);
}

function target(files: { ca: string; cert: string; key: string }): DockerTarget {
  // Port 1 on loopback: nothing listens, so only a file problem can come before "connection refused".
  return { name: 'node2', endpoint: { type: 'tcp', host: 'tcp://127.0.0.1:1', tls: files } };
}

async function failure(t: DockerTarget): Promise<Error> {
  const client = createDockerClient();
  try {
    return (await client.request(t, { method: 'GET', path: '/info' }, signal).then(
      () => new Error('answered'),
      (e: unknown) => e,
    )) as Error;
  } finally {
    await client.close();
  }
}

beforeAll(() => {
  selfSigned('a');
  selfSigned('b');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Docker TLS files', () => {
  it('names a file that cannot be read', async () => {
    const e = await failure(target({ ca: join(dir, 'a.pem'), cert: join(dir, 'gone.pem'), key: join(dir, 'a-key.pem') }));
    expect(e).toMatchObject({ code: 'AUTH' });
    expect(e.message).toBe(`node2: cannot read the Docker TLS client certificate ${join(dir, 'gone.pem')} (no such file); fix docker.tls.cert in the inventory`);
  });

  it('says when the key is not the certificate\'s', async () => {
    const e = await failure(target({ ca: join(dir, 'a.pem'), cert: join(dir, 'a.pem'), key: join(dir, 'b-key.pem') }));
    expect(e).toMatchObject({ code: 'AUTH' });
    expect(e.message).toContain(`node2: the Docker TLS files ${join(dir, 'a.pem')} and ${join(dir, 'b-key.pem')} cannot be used (key values mismatch)`);
    expect(e.message).toContain('tls.key must be the private key of tls.cert');
  });

  it('with good files, goes on to connect', async () => {
    const e = await failure(target({ ca: join(dir, 'a.pem'), cert: join(dir, 'a.pem'), key: join(dir, 'a-key.pem') }));
    expect(e.message).toBe('node2: Docker API unreachable at tcp://127.0.0.1:1: connection refused (is dockerd running?)');
  });

  it('the inventory resolves ~ and relative paths, and refuses a missing file at its line', () => {
    const home = relative(homedir(), join(dir, 'a.pem'));
    const text = (key: string) =>
      `cluster: c\nnodes:\n  - name: n1\n    address: 10.0.0.1\n    role: manager\n    docker:\n      host: tcp://10.0.0.1:2376\n      tls: { ca: a.pem, cert: "~/${home}", key: ${key} }\n`;
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, text('a-key.pem'));
    const loaded = loadInventory(file);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.value?.nodes[0]?.docker).toEqual({
      type: 'tcp',
      host: 'tcp://10.0.0.1:2376',
      tls: { ca: join(dir, 'a.pem'), cert: join(dir, 'a.pem'), key: join(dir, 'a-key.pem') },
    });
    writeFileSync(file, text('missing-key.pem'));
    const missing = loadInventory(file);
    expect(missing.value).toBeUndefined();
    expect(missing.diagnostics.map((d) => `${d.source.line}:${d.source.col} ${d.code} ${d.message}`)).toEqual([
      `8:${text('missing-key.pem').split('\n')[7]!.indexOf('missing') + 1} RB_FILE_NOT_FOUND tls.key: cannot read ${join(dir, 'missing-key.pem')} (no such file)`,
    ]);
  });

  it('plain TCP is taken without tls on loopback, and to a remote address only with tls: false', () => {
    const text = (docker: string) => `cluster: c\nnodes:\n  - { name: n1, address: 10.0.0.1, role: manager, docker: ${docker} }\n`;
    const load = (docker: string) => loadInventory(join(dir, 'x.yaml'), text(docker));
    for (const host of ['tcp://127.0.0.1:2375', 'tcp://127.1.2.3:2375', 'tcp://localhost:2375', 'tcp://[::1]:2375']) {
      expect(load(`{ host: "${host}" }`).value?.nodes[0]?.docker, host).toEqual({ type: 'tcp', host });
    }
    expect(load('{ host: "tcp://10.0.0.1:2375", tls: false }').value?.nodes[0]?.docker).toEqual({ type: 'tcp', host: 'tcp://10.0.0.1:2375' });
    for (const host of ['tcp://10.0.0.1:2375', 'tcp://128.0.0.1:2375', 'tcp://node1:2375', 'tcp://[::2]:2375']) {
      expect(load(`{ host: "${host}" }`).diagnostics.map((d) => d.code), host).toEqual(['RB_INV_PLAIN_TCP']);
    }
  });
});
