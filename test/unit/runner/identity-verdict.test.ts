import { describe, expect, it } from 'vitest';
import { judgeIdentity, namesNode, type RecordedIdentity } from '../../../engine/runner/identity-verdict.js';

const SOCKET = 'unix:///var/run/docker.sock';

describe('namesNode', () => {
  it('is the name, ignoring case and a domain on one side', () => {
    expect(namesNode('dccn-c001', 'dccn-c001')).toBe(true);
    expect(namesNode('dccn-c001', 'DCCN-C001')).toBe(true);
    expect(namesNode('dccn-c001', 'dccn-c001.example.org')).toBe(true);
    expect(namesNode('dccn-c001.example.org', 'dccn-c001')).toBe(true);
  });

  it('is not another host, a prefix, or the same short name in another domain', () => {
    expect(namesNode('dccn-c002', 'dccn-c001')).toBe(false);
    expect(namesNode('node1', 'node10')).toBe(false);
    expect(namesNode('node1.a.org', 'node1.b.org')).toBe(false);
    expect(namesNode('node1', '')).toBe(false);
  });
});

describe('judgeIdentity', () => {
  it('first contact: the host that names the node is recorded', () => {
    expect(judgeIdentity({ node: 'node2', via: 'docker', endpoint: SOCKET, observed: { hostname: 'node2', nodeId: 'n2' }, recorded: undefined })).toEqual({ ok: true, first: true });
  });

  it('first contact with a shared local socket: refused, naming both hosts and what to write', () => {
    const v = judgeIdentity({ node: 'node2', via: 'docker', endpoint: SOCKET, observed: { hostname: 'ctl01', nodeId: 'abc123', daemonId: 'D1' }, recorded: undefined });
    expect(v).toEqual({
      ok: false,
      message:
        'node2: the Docker API at unix:///var/run/docker.sock answers as host "ctl01" (swarm node abc123), not node2 — ' +
        'every node of this inventory may point at the same daemon; give node2 docker: { via: ssh } or its own host',
    });
  });

  it('a daemon outside a swarm is named by its daemon ID', () => {
    const v = judgeIdentity({ node: 'node2', via: 'docker', endpoint: 'tcp://10.0.0.9:2375', observed: { hostname: 'other', daemonId: 'D9' }, recorded: undefined });
    expect(v.ok === false && v.message).toBe(
      'node2: the Docker API at tcp://10.0.0.9:2375 answers as host "other" (daemon D9), not node2 — check node2\'s docker endpoint in the inventory, or give it docker: { via: ssh }',
    );
  });

  it('SSH reaching another host: refused, pointing at the address', () => {
    const v = judgeIdentity({ node: 'node2', via: 'ssh', endpoint: 'ssh://root@10.0.0.3:22', observed: { hostname: 'node3' }, recorded: undefined });
    expect(v.ok === false && v.message).toBe(
      'node2: SSH to root@10.0.0.3:22 reaches host "node3", not node2 — check node2\'s address in the inventory (and its entry in ~/.ssh/config)',
    );
  });

  const recorded: RecordedIdentity = { node: 'node2', via: 'ssh', endpoint: 'ssh://root@10.0.0.2:22', hostname: 'node2.lab' };

  it('a later contact with the recorded host passes and records nothing', () => {
    expect(judgeIdentity({ node: 'node2', via: 'ssh', endpoint: 'ssh://root@10.0.0.2:22', observed: { hostname: 'NODE2.lab' }, recorded })).toEqual({ ok: true, first: false });
  });

  it('a later contact with the same daemon after it rejoined the swarm passes: the hostname decides', () => {
    const docker: RecordedIdentity = { node: 'node2', via: 'docker', endpoint: SOCKET, hostname: 'node2', nodeId: 'old', daemonId: 'D2' };
    expect(judgeIdentity({ node: 'node2', via: 'docker', endpoint: SOCKET, observed: { hostname: 'node2', nodeId: 'new', daemonId: 'D2' }, recorded: docker }).ok).toBe(true);
  });

  it('a later contact with another host is refused, even one whose name also fits the node', () => {
    const v = judgeIdentity({ node: 'node2', via: 'ssh', endpoint: 'ssh://root@10.0.0.3:22', observed: { hostname: 'node2' }, recorded });
    expect(v.ok === false && v.message).toBe(
      'node2: SSH to root@10.0.0.3:22 reaches host "node2", but this run first reached node2 at ssh://root@10.0.0.2:22 as host "node2.lab" — ' +
        'the inventory or the host changed since; check node2\'s address in the inventory (and its entry in ~/.ssh/config)',
    );
  });
});
