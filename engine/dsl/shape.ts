/**
 * The JSON Schema shape check (ajv, strict, all errors) and the translation of ajv's errors into diagnostics
 * pointing at the YAML node: unknown keys at the key with the nearest valid key suggested, missing keys at the
 * mapping, wrong values at the value with what to write instead.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { diagnostic as makeDiagnostic } from './diagnostics.js';
import type { Diagnostic, DiagnosticCode, SourceRef } from './diagnostics.js';
import { suggestDuration } from './duration.js';
import { suggestFailureLimit } from './failure-limit.js';
import { refAt as refAtPath, refAtKey as refAtKeyPath } from './positions.js';
import type { DataPath, YamlSource } from './positions.js';
import { closest, didYouMean } from './rules/closest.js';

/** The pattern step ids and runbook names follow. */
export const ID_PATTERN = '^[a-z0-9][a-z0-9-]*$';
const IDENT_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const DURATION_SCHEMA = /\/definitions\/duration\//;
const FAILURE_LIMIT_SCHEMA = /\/definitions\/failureLimit\//;

/** Picks a more specific code than the generic one for some errors of one schema. */
export type Classify = (error: ErrorObject, path: DataPath) => DiagnosticCode | undefined;

export interface ShapeOptions {
  readonly classify?: Classify;
  /** Labels for array items whose parent key is given, e.g. `steps` → `step` (they are named by `id`/`name`). */
  readonly itemLabels?: Readonly<Record<string, string>>;
  /** Overrides the code of a `required` error for one missing key, e.g. a node's `address`. */
  readonly missingCodes?: Readonly<Record<string, DiagnosticCode>>;
  /** Where the validated data sits in the file, when it is not the whole document (e.g. one step's `with`). */
  readonly at?: DataPath;
  /** Where to point errors about the validated value as a whole when it is not written (e.g. a missing `with`). */
  readonly rootAt?: () => DataPath | undefined;
  /** One code for every error (e.g. `RB_ACTION_WITH`). */
  readonly code?: DiagnosticCode;
  /** Names the validated value in messages, e.g. `step "x" (shell) with`. */
  readonly subject?: string;
  /** Errors to ignore, e.g. about values that are expressions checked at run time. */
  readonly skip?: (error: ErrorObject) => boolean;
}

/** Runs `validate` on `data` and returns one diagnostic per distinct problem. */
export function checkShape(
  validate: ValidateFunction,
  src: YamlSource,
  data: unknown,
  options: ShapeOptions = {},
): Diagnostic[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const alternatives = missingAlternatives(validate.errors ?? []);
  for (const error of validate.errors ?? []) {
    // A propertyNames failure comes twice: once for the inner keyword, once for propertyNames itself.
    if (error.propertyName !== undefined || options.skip?.(error) === true) continue;
    if (error.keyword === 'required' && ALTERNATIVE.test(error.schemaPath)) continue;
    const missing = alternatives.get(error.instancePath);
    const d =
      (error.keyword === 'oneOf' || error.keyword === 'anyOf') && missing !== undefined
        ? toDiagnostic(
            { ...error, keyword: 'required', params: { missingProperty: missing } },
            src,
            data,
            options,
          )
        : toDiagnostic(error, src, data, options);
    const key = `${d.source.line}:${d.source.col}:${d.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

const ALTERNATIVE = /\/(oneOf|anyOf)\/\d+\/required$/;

/** `oneOf: [{ required: [a] }, { required: [b] }]` failing for lack of both: one "missing a or b" per place. */
function missingAlternatives(errors: readonly ErrorObject[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const error of errors) {
    if (error.keyword !== 'required' || !ALTERNATIVE.test(error.schemaPath)) continue;
    const names = out.get(error.instancePath) ?? [];
    names.push(String((error.params as Record<string, unknown>)['missingProperty']));
    out.set(error.instancePath, names);
  }
  return out;
}

function toDiagnostic(error: ErrorObject, src: YamlSource, root: unknown, options: ShapeOptions): Diagnostic {
  const relative = pointerToPath(error.instancePath);
  const path = [...(options.at ?? []), ...relative];
  const base = options.at ?? [];
  const located = relative.length === 0 ? options.rootAt?.() : undefined;
  const schema = (error.parentSchema ?? {}) as SchemaLike;
  const inner = describePath(root, relative, options.itemLabels ?? {});
  const where = options.subject === undefined ? inner : inner === '' ? options.subject : `${options.subject}.${inner}`;
  const params = error.params as Record<string, unknown>;
  const refAt = (src: YamlSource, p: DataPath) =>
    located !== undefined && p.length <= base.length ? refAtPath(src, located) : refAtPath(src, p);
  const refAtKey = (src: YamlSource, p: DataPath) =>
    located !== undefined && p.length <= base.length ? refAtPath(src, located) : refAtKeyPath(src, p);
  const diagnostic = (code: DiagnosticCode, ...rest: [SourceRef, string, string?]) =>
    makeDiagnostic(options.code ?? code, ...rest);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys(schema.properties ?? {});
      const hint = didYouMean(key, allowed) ?? (allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined);
      const message = where === '' ? `unknown top-level key "${key}"` : `${where}: unknown key "${key}"`;
      return diagnostic('RB_UNKNOWN_KEY', refAtKey(src, [...path, key]), message, hint);
    }
    case 'required': {
      const missing: unknown = params['missingProperty'];
      const keys = Array.isArray(missing) ? missing.map(String) : [String(missing)];
      const [key = ''] = keys;
      const code = options.missingCodes?.[key] ?? 'RB_MISSING_KEY';
      const names = keys.map((k) => `"${k}"`).join(' or ');
      const message = where === '' ? `missing top-level key ${names}` : `${where}: missing ${names}`;
      const about = keys.length === 1 ? schema.properties?.[key]?.description?.split(/(?<=\.)\s/)[0]?.replace(/\.$/, '') : undefined;
      const hint = `add ${keys.map((k) => `\`${k}:\``).join(' or ')}${about === undefined ? '' : ` (${about})`}`;
      return diagnostic(code, refAt(src, path), message, hint);
    }
    case 'propertyNames': {
      const key = String(params['propertyName']);
      return diagnostic(
        'RB_BAD_VALUE',
        refAtKey(src, [...path, key]),
        `${where === '' ? 'top level' : where}: "${key}" is not a valid name`,
        'use letters, digits and `_`, not starting with a digit, so expressions can read it as `.name`',
      );
    }
    default: {
      const code = options.classify?.(error, path) ?? defaultCode(error, schema);
      const label = where === '' ? 'the value' : where;
      return diagnostic(code, refAt(src, path), `${label} ${problem(error, schema)}`, hintFor(error, schema));
    }
  }
}

interface SchemaLike {
  readonly type?: string | readonly string[];
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaLike>>;
}

function defaultCode(error: ErrorObject, schema: SchemaLike): DiagnosticCode {
  if (DURATION_SCHEMA.test(error.schemaPath + '/')) return 'RB_BAD_DURATION';
  if (error.keyword === 'pattern' && schema.pattern === ID_PATTERN) return 'RB_BAD_ID';
  if (error.keyword === 'type') return 'RB_WRONG_TYPE';
  return 'RB_BAD_VALUE';
}

function problem(error: ErrorObject, schema: SchemaLike): string {
  const got = describeValue(error.data);
  if (DURATION_SCHEMA.test(error.schemaPath)) return `${got} is not a duration`;
  if (FAILURE_LIMIT_SCHEMA.test(error.schemaPath)) return `${got} is neither a count of failed instances nor a share like "25%"`;
  switch (error.keyword) {
    case 'type':
      return `must be ${expected(schema)}, not ${got}`;
    case 'enum':
      return `must be one of ${(schema.enum ?? []).map((v) => JSON.stringify(v)).join(', ')}, not ${got}`;
    case 'pattern':
      if (schema.pattern === ID_PATTERN) return `${got} is not a valid id`;
      return `${got} is not valid`;
    case 'minimum':
    case 'maximum':
      return `must be ${expected(schema)}, not ${got}`;
    case 'minItems':
      return `must have at least ${String(schema.minItems)} item${schema.minItems === 1 ? '' : 's'}`;
    case 'minLength':
      return 'must not be empty';
    case 'minProperties':
    case 'maxProperties':
      return `must have exactly one of ${Object.keys(schema.properties ?? {}).join(', ')}`;
    default:
      return error.message ?? 'is not valid';
  }
}

function hintFor(error: ErrorObject, schema: SchemaLike): string | undefined {
  if (DURATION_SCHEMA.test(error.schemaPath)) {
    const guess = suggestDuration(error.data);
    return guess === undefined ? 'write a duration like 30s, 5m or 1h30m' : `write ${guess}`;
  }
  if (FAILURE_LIMIT_SCHEMA.test(error.schemaPath)) return suggestFailureLimit(error.data);
  if (error.keyword === 'pattern' && schema.pattern === ID_PATTERN) {
    const slug = typeof error.data === 'string' ? slugify(error.data) : '';
    return `use lowercase letters, digits and "-"${slug === '' ? '' : `, e.g. "${slug}"`}`;
  }
  if (error.keyword === 'pattern' && schema.pattern === IDENT_PATTERN) {
    return 'use letters, digits and `_`, not starting with a digit';
  }
  if (error.keyword === 'enum') {
    const names = (schema.enum ?? []).filter((v): v is string => typeof v === 'string');
    const [best] = typeof error.data === 'string' ? closest(error.data, names) : [];
    return best === undefined ? `write one of ${(schema.enum ?? []).map((v) => JSON.stringify(v)).join(', ')}` : `did you mean "${best}"?`;
  }
  if (error.keyword === 'minProperties' || error.keyword === 'maxProperties') {
    return `keep one of ${Object.keys(schema.properties ?? {}).map((k) => `\`${k}:\``).join(', ')}`;
  }
  if (error.keyword === 'type' || error.keyword === 'minimum' || error.keyword === 'maximum') {
    return `write ${expected(schema)}`;
  }
  if (error.keyword === 'minItems') return error.instancePath === '/steps' ? 'add a step: `- id: first` with an `action:`' : 'add an item';
  if (error.keyword === 'minLength') return 'write a value, or leave the key out';
  return undefined;
}

/** A phrase for what a schema accepts: "a whole number ≥ 1", "true or false", "a string or a list". */
export function expected(schema: SchemaLike): string {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const { minimum: min, maximum: max } = schema;
  const bounds =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` ≥ ${min}`
        : max !== undefined
          ? ` ≤ ${max}`
          : '';
  const phrases = types.map((t) => {
    switch (t) {
      case 'integer':
        return `a whole number${bounds}`;
      case 'number':
        return `a number${bounds}`;
      case 'boolean':
        return 'true or false';
      case 'string':
        return 'a string';
      case 'array':
        return 'a list';
      case 'object':
        return 'a mapping';
      default:
        return t;
    }
  });
  return phrases.length === 0 ? 'a value' : phrases.join(' or ');
}

/** A short, quoted rendering of a value for messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…"` : text;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** JSON Pointer (`/steps/0/with`) to path segments. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Names a place in the data the way a reader thinks of it: `step "label": retry.attempts` rather than
 * `/steps/3/retry/attempts`.
 */
export function describePath(root: unknown, path: DataPath, itemLabels: Readonly<Record<string, string>>): string {
  let head = '';
  let tail = '';
  let cursor: unknown = root;
  for (const segment of path) {
    if (Array.isArray(cursor)) {
      const item: unknown = cursor[Number(segment)];
      const label = head === '' ? itemLabels[tail] : undefined;
      const name = itemName(item);
      if (label !== undefined && name !== undefined) {
        head = `${label} "${name}"`;
        tail = '';
      } else {
        tail += `[${String(segment)}]`;
      }
      cursor = item;
    } else {
      tail += tail === '' ? String(segment) : `.${String(segment)}`;
      cursor = isRecord(cursor) ? cursor[String(segment)] : undefined;
    }
  }
  if (head === '') return tail;
  return tail === '' ? head : `${head}: ${tail}`;
}

function itemName(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const name = item['id'] ?? item['name'];
  return typeof name === 'string' ? name : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
