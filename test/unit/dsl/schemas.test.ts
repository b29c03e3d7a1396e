/**
 * The published JSON Schemas: loadable by editors (draft-07 with `$schema`, `$id`, titles and descriptions),
 * compiled by ajv in strict mode, and every action's `with` schema compiles the same way.
 */
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { actionNames, getAction } from '../../../engine/actions/index.js';
import inventorySchema from '../../../engine/dsl/schema/inventory.schema.json' with { type: 'json' };
import { compileActionSchema } from '../../../engine/dsl/compiled-schemas.js';
import runbookSchema from '../../../engine/dsl/schema/runbook.schema.json' with { type: 'json' };

/** Every property schema in `schema`, with its path. */
function* properties(schema: unknown, path = '#'): Generator<[string, Record<string, unknown>]> {
  if (schema === null || typeof schema !== 'object') return;
  const record = schema as Record<string, unknown>;
  for (const key of ['properties', 'definitions'] as const) {
    const children = record[key];
    if (children !== null && typeof children === 'object') {
      for (const [name, child] of Object.entries(children)) {
        yield [`${path}/${key}/${name}`, child as Record<string, unknown>];
        yield* properties(child, `${path}/${key}/${name}`);
      }
    }
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    if (record[key] !== null && typeof record[key] === 'object') yield* properties(record[key], `${path}/${key}`);
  }
}

describe.each([
  ['runbook', runbookSchema],
  ['inventory', inventorySchema],
])('%s schema', (_, schema) => {
  test('declares draft-07, an id, a title and a description', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(/^urn:runbook:schema:/);
    expect(schema.title.length).toBeGreaterThan(0);
    expect(schema.description.length).toBeGreaterThan(20);
  });

  test('compiles in strict mode, and is a valid draft-07 schema', () => {
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
  });

  test('every property says what it is for (editors show it on hover)', () => {
    const undocumented = [...properties(schema)]
      .filter(([, child]) => child['$ref'] === undefined && typeof child['description'] !== 'string')
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });
});

describe('action schemas', () => {
  test.each(actionNames())('%s compiles in strict mode, and is a valid draft-07 schema', (name) => {
    const schema = getAction(name)?.with ?? {};
    expect(() => compileActionSchema(schema)).not.toThrow();
    // The engine compiles without the meta-schema check (it costs every process at start): it is done here.
    const checked = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    expect(checked.validateSchema(schema), JSON.stringify(checked.errors)).toBe(true);
  });
});
