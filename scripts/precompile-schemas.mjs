// Build step, after tsc: writes the product's JSON Schema validators (runbook, inventory, every action's
// `with`) as ajv standalone code into dist/engine/dsl/compiled-schemas.generated.cjs, so that a runbook
// process neither loads ajv nor compiles a schema at start (engine/dsl/compiled-schemas.ts).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'engine');
const { GENERATED_FILE, VALIDATOR_OPTIONS, schemaExportName } = await import(join(dist, 'dsl', 'compiled-schemas.js'));
const { actionNames, getAction } = await import(join(dist, 'actions', 'index.js'));

const readJson = (file) => JSON.parse(readFileSync(join(dist, 'dsl', 'schema', file), 'utf8'));
const schemas = [readJson('runbook.schema.json'), readJson('inventory.schema.json'), ...actionNames().map((n) => getAction(n).with)];

// Strictness is checked when the schemas are compiled at run time and by the unit tests; it does not change
// the code ajv writes, so one instance compiles them all.
const ajv = new Ajv({ ...VALIDATOR_OPTIONS, strict: true, strictRequired: false, code: { source: true } });
const exports = {};
for (const schema of schemas) {
  const name = schemaExportName(schema);
  if (exports[name] !== undefined) continue;
  ajv.addSchema(schema, name);
  exports[name] = name;
}
const file = join(dist, 'dsl', GENERATED_FILE);
writeFileSync(`${file}.tmp`, standaloneCode.default(ajv, exports));
renameSync(`${file}.tmp`, file);
console.log(`precompiled ${Object.keys(exports).length} schemas into ${file}`);
