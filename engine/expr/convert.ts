/**
 * Values crossing into and out of CEL. Context data is plain JSON-like JS (numbers are just `number`), while CEL
 * distinguishes `int` (BigInt in cel-js) from `double`; without this step `inputs.count + 1` would fail with
 * "no such overload: double + int" for a YAML `count: 3`.
 */
import { Optional } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { ExpressionError } from './errors.js';

/** A CEL map built from a JS object: a null-prototype object, so keys like `toString` are never inherited. */
type CelMap = Record<string, unknown>;

/** Objects built from object literals, JSON or YAML, as opposed to class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * JS → CEL: safe integers become ints (BigInt), other numbers stay doubles, objects become maps without their
 * `undefined` properties, arrays become lists. Strings, booleans, null, BigInt, Date and bytes pass through.
 */
export function toCel(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(toCelElement);
      if (value instanceof Date || value instanceof Uint8Array) return value;
      if (value instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of value) if (v !== undefined) out.set(k, toCel(v));
        return out;
      }
      if (value instanceof Set) return [...value].map(toCelElement);
      if (isPlainObject(value)) return toCelObject(value);
      // A class instance is not data; its text is what it means to show (a Secret shows `***`).
      return String(value);
    default:
      return null;
  }
}

function toCelElement(value: unknown): unknown {
  return value === undefined ? null : toCel(value);
}

function toCelObject(value: Record<string, unknown>): CelMap | Map<string, unknown> {
  // cel-js decides "is this a map?" by `value.constructor`; an own `constructor` key would defeat that.
  if (Object.hasOwn(value, 'constructor')) {
    const out = new Map<string, unknown>();
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (v !== undefined) out.set(key, toCel(v));
    }
    return out;
  }
  const out: CelMap = Object.create(null) as CelMap;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v !== undefined) out[key] = toCel(v);
  }
  return out;
}

/**
 * CEL → JS: ints come back as `number` (an int outside the safe range throws, it would silently lose digits),
 * maps as plain objects, lists as arrays, optionals as their value or null, durations as text like `1h30m`.
 */
export function fromCel(value: unknown, source: string): unknown {
  switch (typeof value) {
    case 'bigint':
      return intToNumber(value, source);
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'object':
      return objectFromCel(value, source);
    default:
      return String(value);
  }
}

function objectFromCel(value: object | null, source: string): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v: unknown) => fromCel(v, source));
  if (value instanceof Set) return [...value].map((v: unknown) => fromCel(v, source));
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]: [unknown, unknown]) => [String(k), fromCel(v, source)]));
  }
  if (value instanceof UnsignedInt) return intToNumber(value.valueOf(), source);
  if (value instanceof Optional) return value.hasValue() ? fromCel(value.value(), source) : null;
  if (value instanceof Duration) return value.toString();
  if (value instanceof Date || value instanceof Uint8Array) return value;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.keys(value).map((k) => [k, fromCel(value[k], source)]));
  }
  return String(value);
}

function intToNumber(value: bigint, source: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new ExpressionError(`${source}: the integer ${value} is too large to use outside the expression`);
  }
  return n;
}
