/**
 * The validators the build precompiles (dist/, what `runbook` runs) say exactly what ajv compiling at run
 * time says (the sources, what the other unit tests run): the same diagnostics for every invalid runbook and
 * inventory of the golden files. A schema changed since the build is compiled at run time instead.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { actionNames, getAction } from '../../../engine/actions/index.js';
import { isPrecompiled } from '../../../engine/dsl/compiled-schemas.js';
import inventorySchema from '../../../engine/dsl/schema/inventory.schema.json' with { type: 'json' };
import runbookSchema from '../../../engine/dsl/schema/runbook.schema.json' with { type: 'json' };
import { loadInventory, loadRunbook, type Diagnostic, type Loaded } from '../../../engine/index.js';
import { formatDiagnostic } from '../../../engine/ui/diagnostics.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist/engine');

type Api = { loadRunbook: typeof loadRunbook; loadInventory: typeof loadInventory };
type Compiled = typeof import('../../../engine/dsl/compiled-schemas.js');
let built: Api;
let builtCompiled: Compiled;

beforeAll(async () => {
  built = (await import(pathToFileURL(join(DIST, 'index.js')).href)) as Api;
  builtCompiled = (await import(pathToFileURL(join(DIST, 'dsl/compiled-schemas.js')).href)) as Compiled;
});

const schemas: Array<[string, object]> = [
  ['runbook', runbookSchema],
  ['inventory', inventorySchema],
  ...actionNames().map((n): [string, object] => [`${n} with`, getAction(n)?.with ?? {}]),
];

function cases(dir: string): string[] {
  const at = join(import.meta.dirname, dir);
  return readdirSync(at).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(at, f));
}

const printed = (loaded: Loaded<unknown>): string[] => loaded.diagnostics.map((d: Diagnostic) => formatDiagnostic(d, undefined));

describe('precompiled schema validators', () => {
  test.each(schemas)('the build precompiled the %s schema', (_, schema) => {
    expect(builtCompiled.isPrecompiled(schema)).toBe(true);
    // The sources have no build beside them: ajv compiles there, which is what the build is compared with.
    expect(isPrecompiled(schema)).toBe(false);
  });

  test.each(cases('invalid'))('runbook %s: the same diagnostics as ajv at run time', (file) => {
    const expected = printed(loadRunbook(file));
    expect(expected.length).toBeGreaterThan(0);
    expect(printed(built.loadRunbook(file))).toEqual(expected);
  });

  test.each(cases('../inventory/invalid'))('inventory %s: the same diagnostics as ajv at run time', (file) => {
    const expected = printed(loadInventory(file));
    expect(expected.length).toBeGreaterThan(0);
    expect(printed(built.loadInventory(file))).toEqual(expected);
  });

  test('a schema changed since the build is compiled when first used, and validates', () => {
    const changed = { ...runbookSchema, description: `${runbookSchema.description} (changed)` };
    expect(builtCompiled.isPrecompiled(changed)).toBe(false);
    const validate = builtCompiled.compileSchema(changed);
    expect(validate({ name: 'ok', steps: [{ id: 'a', action: 'assert', with: { that: true } }] })).toBe(true);
    expect(validate({ name: 'ok', steps: [], bogus: 1 })).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toContain('additionalProperties');
  });
});
