/**
 * JSON Schema validators, compiled once at build time. Loading ajv and compiling the runbook, inventory and
 * action schemas cost every process about 80 ms at start; the build writes them as ajv standalone code into
 * `compiled-schemas.generated.cjs` beside this module (scripts/precompile-schemas.mjs), and a process loads
 * that instead. A schema is found there by a fingerprint of its content, so a schema changed since the last
 * build (or run from source, where no generated file sits) is compiled with ajv on first use, as before.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, Options, ValidateFunction } from 'ajv';
import { onFirstUse } from '../on-first-use.js';

// The generated file is found beside this module, wherever the build put it (dist/engine/dsl/, dist/cli/).
const require = createRequire(import.meta.url);
const ajvModule = onFirstUse<typeof import('ajv')>('ajv');

/** The file the build writes beside this module. */
export const GENERATED_FILE = 'compiled-schemas.generated.cjs';

/**
 * The options every validator is compiled with. `verbose` puts the schema and the data into each error, which
 * the diagnostics read. `validateSchema: false`: the product's schemas are checked against the meta-schema by
 * the unit tests, not by every process.
 */
export const VALIDATOR_OPTIONS: Options = { allErrors: true, verbose: true, allowUnionTypes: true, validateSchema: false };

/** The name a schema's validator is exported under in the generated file: a fingerprint of its content. */
export function schemaExportName(schema: object): string {
  return `s_${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 20)}`;
}

let generated: Readonly<Record<string, ValidateFunction>> | null | undefined;

function precompiled(name: string): ValidateFunction | undefined {
  if (generated === undefined) {
    try {
      generated = require(`./${GENERATED_FILE}`) as Record<string, ValidateFunction>;
    } catch {
      generated = null;
    }
  }
  return generated?.[name];
}

let strictAjv: AjvInstance | undefined;
let actionAjv: AjvInstance | undefined;

function newAjv(options: Options): AjvInstance {
  const { Ajv } = ajvModule();
  return new Ajv({ ...VALIDATOR_OPTIONS, ...options });
}

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object, compile: () => ValidateFunction): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = precompiled(schemaExportName(schema)) ?? compile();
    compiled.set(schema, validate);
  }
  return validate;
}

/** The validator of one of the product's schemas (strict). Throws only for a broken schema: a bug, not a user error. */
export function compileSchema(schema: object): ValidateFunction {
  return validatorFor(schema, () => (strictAjv ??= newAjv({ strict: true })).compile(schema));
}

/** An action's `with` validator: strict, except that `required` may name properties declared elsewhere. */
export function compileActionSchema(schema: object): ValidateFunction {
  // Actions may write alternatives as `oneOf: [{ required: [a] }, { required: [b] }]`, which strictRequired forbids.
  return validatorFor(schema, () => (actionAjv ??= newAjv({ strict: true, strictRequired: false })).compile(schema));
}

/** True when `schema`'s validator comes from the build, not from ajv at run time. */
export function isPrecompiled(schema: object): boolean {
  return precompiled(schemaExportName(schema)) !== undefined;
}
