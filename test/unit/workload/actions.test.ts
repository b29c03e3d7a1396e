import { describe, expect, it } from 'vitest';
import { compileActionSchema } from '../../../engine/dsl/shape.js';
import { getAction } from '../../../engine/actions/index.js';
import { workloadActions } from '../../../engine/actions/workload/catalogue.js';
import { powerCommandLine } from '../../../engine/actions/workload/power.js';
import { parseStackLs } from '../../../engine/actions/workload/stack-ls.js';
import { posixQuote } from '../../../engine/expr/shell-quote.js';
import type { InventoryNode } from '../../../engine/inventory/types.js';

describe('workload catalogue', () => {
  it('registers every action under its own name, with a schema that compiles strictly', () => {
    for (const [name, action] of Object.entries(workloadActions)) {
      expect(action.name).toBe(name);
      expect(getAction(name)).toBe(action);
      expect(() => compileActionSchema(action.with as object)).not.toThrow();
    }
  });

  it('rejects unknown keys and wrong shapes in with', () => {
    const update = compileActionSchema(workloadActions['docker.service.update'].with as object);
    expect(update({ service: 'web', image: 'a:1' })).toBe(true);
    expect(update({ service: 'web', imgae: 'a:1' })).toBe(false);
    const wait = compileActionSchema(workloadActions['docker.tasks.wait'].with as object);
    expect(wait({ until: 'converged', timeout: '5m' })).toBe(true);
    expect(wait({ until: 'converged', timeout: '5 minutes' })).toBe(false);
    expect(wait({ until: 'done' })).toBe(false);
    const restart = compileActionSchema(workloadActions['docker.daemon.restart'].with as object);
    expect(restart({ command: 'a', local_command: 'b' })).toBe(false);
    const create = compileActionSchema(workloadActions['docker.service.create'].with as object);
    expect(create({})).toBe(false);
    expect(create({ file: 'x.json' })).toBe(true);
  });

  it('marks only the read-only actions as non-mutating', () => {
    const readOnly = Object.values(workloadActions).filter((a) => !a.mutating).map((a) => a.name).sort();
    expect(readOnly).toEqual(['docker.service.export', 'docker.service.ls', 'docker.stack.ls', 'docker.tasks.wait', 'http.probe', 'wait.until']);
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
