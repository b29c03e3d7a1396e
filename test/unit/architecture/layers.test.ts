/**
 * dependency-cruiser measures the engine's imports against the rules: any import against the direction,
 * and any cycle, fails. A tree with a cycle put back in fails the same rules, so the test can fail.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cruise, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { RULES } from './rules.js';

const ROOT = resolve(import.meta.dirname, '../../..');

async function violations(dir: string, cwd: string): Promise<string[]> {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const result = await cruise([dir], {
      ruleSet: { forbidden: RULES },
      validate: true,
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
    });
    const output = result.output;
    if (typeof output === 'string') throw new Error(output);
    return output.summary.violations.map((v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle === undefined ? '' : ` (${v.cycle.map((c) => c.name).join(' → ')})`}`);
  } finally {
    process.chdir(previous);
  }
}

describe('the direction of imports', () => {
  it('holds for engine/: no import against it, no cycle', async () => {
    expect(await violations('engine', ROOT)).toEqual([]);
  }, 60_000);

  it('fails on a cycle put back (runner → sub-runbook → runner) and on an import that points up', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'arch-'));
    mkdirSync(join(tree, 'engine/runner'), { recursive: true });
    mkdirSync(join(tree, 'engine/dsl'), { recursive: true });
    writeFileSync(join(tree, 'engine/runner/run.ts'), "import { child } from './sub-runbook.js';\nexport const run = (): number => child();\n");
    writeFileSync(join(tree, 'engine/runner/sub-runbook.ts'), "import { run } from './run.js';\nexport const child = (): number => run();\n");
    writeFileSync(join(tree, 'engine/dsl/rules.ts'), "import { run } from '../runner/run.js';\nexport const rule = run;\n");
    const found = await violations('engine', tree);
    expect(found).toContain('no-cycle: engine/runner/run.ts → engine/runner/sub-runbook.ts (engine/runner/sub-runbook.ts → engine/runner/run.ts)');
    expect(found).toContain('beneath-imports-nothing-above: engine/dsl/rules.ts → engine/runner/run.ts');
  }, 60_000);
});
