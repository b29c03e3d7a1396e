import { describe, expect, it } from 'vitest';
import { compileActionSchema } from '../../../engine/dsl/compiled-schemas.js';
import { actionDescriptors, actionNames, getAction } from '../../../engine/actions/index.js';
import { powerCommandLine } from '../../../engine/actions/power/switch.js';
import { parseStackLs } from '../../../engine/actions/docker/stack/ls.js';
import { posixQuote } from '../../../engine/expr/shell-quote.js';
import type { InventoryNode } from '../../../engine/inventory/types.js';

const withOf = (name: string): object => getAction(name)?.with as object;

describe('the catalogue', () => {
  it('registers every action under its own name, with a schema that compiles strictly, and its descriptor apart', () => {
    expect(actionNames().length).toBeGreaterThan(30);
    for (const name of actionNames()) {
      const action = getAction(name);
      expect(action?.name).toBe(name);
      expect(() => compileActionSchema(action?.with as object)).not.toThrow();
      const descriptor = actionDescriptors.get(name);
      expect(descriptor).toMatchObject({ name, mutating: action?.mutating, idempotent: action?.idempotent });
      // A descriptor is what validation reads: no code that runs the action comes with it.
      expect(Object.keys(descriptor ?? {}).filter((k) => ['plan', 'check', 'run', 'guard'].includes(k))).toEqual([]);
    }
  });

  it('rejects unknown keys and wrong shapes in with', () => {
    const update = compileActionSchema(withOf('docker.service.update'));
    expect(update({ service: 'web', image: 'a:1' })).toBe(true);
    expect(update({ service: 'web', imgae: 'a:1' })).toBe(false);
    const wait = compileActionSchema(withOf('docker.tasks.wait'));
    expect(wait({ until: 'converged', timeout: '5m' })).toBe(true);
    expect(wait({ until: 'converged', timeout: '5 minutes' })).toBe(false);
    expect(wait({ until: 'done' })).toBe(false);
    const restart = compileActionSchema(withOf('docker.daemon.restart'));
    expect(restart({ command: 'a', local_command: 'b' })).toBe(false);
    const create = compileActionSchema(withOf('docker.service.create'));
    expect(create({})).toBe(false);
    expect(create({ file: 'x.json' })).toBe(true);
  });

  it('marks only the read-only actions as non-mutating', () => {
    const readOnly = [...actionDescriptors.values()].filter((a) => !a.mutating).map((a) => a.name).sort();
    expect(readOnly).toEqual([
      'assert', 'docker.info', 'docker.node.ls', 'docker.node.wait', 'docker.service.export', 'docker.service.ls', 'docker.stack.ls',
      'docker.swarm.join-token', 'docker.tasks.wait', 'http.probe', 'wait.until',
    ]);
  });
});

describe('power command lines', () => {
  it('replaces every {node} with the quoted name and nothing else', () => {
    const node = { name: "n1; rm -rf /", power: { off: 'ipmitool -H {node}-bmc power off # {node}', on: 'manual' } } as unknown as InventoryNode;
    expect(powerCommandLine(node, 'off', posixQuote)).toBe(`ipmitool -H 'n1; rm -rf /'-bmc power off # 'n1; rm -rf /'`);
  });
});

describe('docker stack ls output', () => {
  it('parses JSON lines', () => {
    const out = '{"Name":"registry","Namespace":"","Orchestrator":"Swarm","Services":"1"}\n{"Name":"web","Namespace":"","Orchestrator":"Swarm","Services":"3"}\n';
    expect(parseStackLs(out)).toEqual([
      { name: 'registry', services: 1, orchestrator: 'Swarm' },
      { name: 'web', services: 3, orchestrator: 'Swarm' },
    ]);
    expect(parseStackLs('')).toEqual([]);
    expect(() => parseStackLs('NAME SERVICES')).toThrow(/not JSON/);
  });
});
