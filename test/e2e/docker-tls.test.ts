/**
 * The Engine API over TCP with TLS against a real `dockerd --tlsverify` (a lab node given a CA and a server
 * certificate made here with openssl): a runbook reads the node through it; a wrong CA, a certificate for
 * another address, a client certificate of another CA and no client certificate at all each fail with one
 * line that names the node and what to fix; `tls: false` against it says it speaks TLS; plain TCP to the
 * remote address without `tls: false` is refused when the inventory loads (exit 2, file:line:col). A default
 * `docker:` with `{address}` in its host reaches the node's own daemon.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsProblem } from '../../engine/io/docker/tls.js';
import { labPower } from '../../engine/lab/commands.js';
import { daemonTlsFiles } from '../../engine/lab/tls-listener.js';
import { runCli, workspace, type CliResult } from '../helpers/cli.js';
import { withLab, type LabHandle } from '../helpers/lab.js';

let handle: LabHandle;
let certs: string;
let dir: string;
let address: string;

const RUNBOOK = `
name: tls-read
steps:
  - id: info
    action: docker.info
    on: node1
  - id: nodes
    action: docker.node.ls
    needs: [info]
    on: node1
`;

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA: `NAME.pem` and `NAME-key.pem`. */
function makeCa(name: string): void {
  openssl(['req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
}

/** A certificate `NAME-cert.pem` / `NAME-key.pem` signed by `ca`, with the given extensions. */
function makeCert(name: string, ca: string, extensions: string): void {
  writeFileSync(join(certs, `${name}.ext`), extensions);
  openssl(['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial',
    '-out', `${name}-cert.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** Gives node1's dockerd the server certificate `server` and reboots the node, so it listens on :2376. */
async function serveTls(server: string): Promise<void> {
  const files = daemonTlsFiles({ dir: join(handle.lab.dir, 'node1') });
  mkdirSync(join(handle.lab.dir, 'node1', 'tls'), { recursive: true });
  copyFileSync(join(certs, 'ca.pem'), files.ca);
  copyFileSync(join(certs, `${server}-cert.pem`), files.cert);
  copyFileSync(join(certs, `${server}-key.pem`), files.key);
  const target = { name: handle.lab.name, stateDir: handle.stateDir };
  await labPower(target, 'node1', 'off');
  await labPower(target, 'node1', 'on');
}

/** An inventory reaching node1 with `docker` written as given (a flow mapping). */
function inventory(name: string, docker: string): string {
  const file = join(dir, name);
  writeFileSync(file, `cluster: ${handle.lab.name}\nnodes:\n  - name: node1\n    address: ${address}\n    role: manager\n    docker: ${docker}\n`);
  return file;
}

function tls(ca: string, client: string): string {
  return `{ host: "tcp://${address}:2376", tls: { ca: ${ca}.pem, cert: ${client}-cert.pem, key: ${client}-key.pem } }`;
}

function run(file: string, extra: readonly string[] = []): Promise<CliResult> {
  return runCli(['run', 'tls-read', '-i', file, '--runbooks', dir, '--state-dir', join(dir, 'state'), '--yes', ...extra]);
}

/** The `step.succeeded` events of `step`, from `--json` output. */
function succeeded(r: CliResult, step: string): Array<Record<string, unknown>> {
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return events.filter((e) => e.type === 'step.succeeded' && e.step === step);
}

beforeAll(async () => {
  handle = await withLab({ nodes: 1, managers: 1, swarm: true });
  address = handle.lab.nodes[0]?.address ?? '';
  dir = workspace({ 'tls-read.yaml': RUNBOOK });
  // The inventory names its TLS files relative to itself.
  certs = dir;
  makeCa('ca');
  makeCa('other-ca');
  makeCert('server', 'ca', `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth\n`);
  makeCert('elsewhere', 'ca', 'subjectAltName=IP:192.0.2.7\nextendedKeyUsage=serverAuth\n');
  makeCert('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  makeCert('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
}, 240_000);

afterAll(async () => {
  await handle?.down();
}, 120_000);

describe('Docker Engine API over TLS', () => {
  it('refuses a daemon certificate made for another address', async () => {
    await serveTls('elsewhere');
    const r = await run(inventory('elsewhere.yaml', tls('ca', 'client')));
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stdout + r.stderr).toContain(`node1: the daemon's certificate does not name the address of tcp://${address}:2376`);
  }, 120_000);

  it('reads the node through dockerd --tlsverify', async () => {
    await serveTls('server');
    const r = await run(inventory('good.yaml', tls('ca', 'client')), ['--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(succeeded(r, 'info')[0]?.outputs).toMatchObject({ name: 'node1', swarm_state: 'active', is_manager: true });
    const nodes = (succeeded(r, 'nodes')[0]?.outputs as { nodes?: Array<{ name: string }> } | undefined)?.nodes;
    expect(nodes?.map((n) => n.name)).toEqual(['node1']);
    // The client key is a secret: it never reaches output.
    expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY');
  }, 120_000);

  it('reads the node through a default written once for every node, {address} standing for its address', async () => {
    const file = join(dir, 'defaults.yaml');
    writeFileSync(
      file,
      `cluster: ${handle.lab.name}\ndefaults:\n  docker: { host: "tcp://{address}:2376", tls: { ca: ca.pem, cert: client-cert.pem, key: client-key.pem } }\n` +
        `nodes:\n  - { name: node1, address: ${address}, role: manager }\n`,
    );
    const r = await run(file, ['--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(succeeded(r, 'info')[0]?.outputs).toMatchObject({ name: 'node1', is_manager: true });
  }, 120_000);

  it('names the CA file when the daemon is not signed by it', async () => {
    const r = await run(inventory('wrong-ca.yaml', tls('other-ca', 'client')));
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout + r.stderr).toContain(`node1: the daemon's certificate is not signed by ${join(dir, 'other-ca.pem')}`);
  }, 60_000);

  it('says the daemon refused a client certificate of another CA', async () => {
    const r = await run(inventory('stranger.yaml', tls('ca', 'stranger')));
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`node1: the Docker API at tcp://${address}:2376 refused the client certificate ${join(dir, 'stranger-cert.pem')}`);
  }, 60_000);

  it('says the daemon wants a client certificate when none is given', async () => {
    // The inventory always gives one; this is what the daemon answers a client that has none. dockerd sends
    // "bad certificate" or, over TLS 1.3 with newer Go, "certificate required".
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = request({ host: address, port: 2376, path: '/version', ca: readFileSync(join(dir, 'ca.pem')) }, (res) => {
        res.resume();
        reject(new Error(`the daemon answered ${String(res.statusCode)} without a client certificate`));
      });
      req.on('error', resolve);
      req.end();
    });
    const problem = tlsProblem(error, 'node1', `tcp://${address}:2376`, { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' });
    expect(problem?.message ?? `unmapped: ${error.code ?? ''} ${error.message}`).toMatch(
      new RegExp(`^node1: the Docker API at tcp://${address.replace(/\./g, '\\.')}:2376 (requires a client certificate|refused the client certificate cert\\.pem)`),
    );
    expect(problem?.code).toBe('AUTH');
  }, 60_000);

  it('says the daemon speaks TLS when the inventory writes tls: false', async () => {
    const r = await run(inventory('plain.yaml', `{ host: "tcp://${address}:2376", tls: false }`));
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`node1: the Docker API at tcp://${address}:2376 speaks TLS`);
  }, 60_000);

  it('refuses plain TCP to a remote address unless tls: false says so, before anything runs', async () => {
    const r = await run(inventory('open.yaml', `{ host: "tcp://${address}:2375" }`));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'open.yaml')}:6:21: error RB_INV_PLAIN_TCP`);
    expect(r.stderr).toContain('`tls: false`');
    expect(r.stdout).not.toMatch(/info/);
  }, 60_000);
});
