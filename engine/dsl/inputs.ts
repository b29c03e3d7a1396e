/**
 * The caller's `--input name=value` pairs checked against the runbook's declared inputs. Values are read as
 * YAML scalars (`3` a number, `true` a boolean, `{a: b}` a mapping), except for string inputs, which take the
 * text as written so `007` stays `007`.
 */
import { parse } from 'yaml';
import { diagnostic } from './diagnostics.js';
import type { Diagnostic, Loaded, SourceRef } from './diagnostics.js';
import { didYouMean } from './rules/closest.js';
import type { InputDecl, InputType, Runbook } from './types.js';

const COMMAND_LINE: SourceRef = { file: '<command line>', line: 1, col: 1 };

/** The environment's form of an input: `RUNBOOK_INPUT_<name>`, which keeps a secret off the command line. */
export const INPUT_ENV_PREFIX = 'RUNBOOK_INPUT_';

/** The runbook's declared inputs that the environment gives as `RUNBOOK_INPUT_<name>`. */
export function inputsFromEnvironment(runbook: Pick<Runbook, 'inputs'>, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const input of runbook.inputs) {
    const value = env[INPUT_ENV_PREFIX + input.name];
    if (value !== undefined) out[input.name] = value;
  }
  return out;
}

/** The inputs a run gets: given values parsed and checked, defaults applied. */
export function resolveInputs(
  runbook: Runbook,
  given: Readonly<Record<string, string>>,
): Loaded<Record<string, unknown>> {
  return resolveWith(runbook, given, (text, input) => readValue(text as string, input.type), COMMAND_LINE);
}

/**
 * Only the given values parsed and checked, no defaults and nothing required: what a resume adds to the
 * inputs its journal kept (secret ones, which are never written).
 */
export function checkGivenInputs(runbook: Runbook, given: Readonly<Record<string, string>>): Loaded<Record<string, unknown>> {
  return resolveWith(runbook, given, (text, input) => readValue(text as string, input.type), COMMAND_LINE, false);
}

/** The same for values that already have their types: the `inputs` a step gives a sub-runbook. */
export function resolveInputValues(
  runbook: Runbook,
  given: Readonly<Record<string, unknown>>,
  source: SourceRef,
): Loaded<Record<string, unknown>> {
  return resolveWith(runbook, given, (value) => value, source);
}

function resolveWith(
  runbook: Runbook,
  given: Readonly<Record<string, unknown>>,
  read: (value: unknown, input: InputDecl) => unknown,
  source: SourceRef,
  complete = true,
): Loaded<Record<string, unknown>> {
  const declared = new Map(runbook.inputs.map((input) => [input.name, input]));
  const values: Record<string, unknown> = {};
  const diagnostics: Diagnostic[] = [];
  for (const [name, text] of Object.entries(given)) {
    const input = declared.get(name);
    if (input === undefined) {
      const names = [...declared.keys()];
      diagnostics.push(
        diagnostic(
          'RB_INPUT_UNKNOWN',
          source,
          `runbook "${runbook.name}" has no input "${name}"`,
          didYouMean(name, names) ?? (names.length === 0 ? 'it takes no inputs' : `its inputs are: ${names.join(', ')}`),
        ),
      );
      continue;
    }
    const value = read(text, input);
    const problem = checkValue(input, value, source);
    if (problem === undefined) values[name] = value;
    else diagnostics.push(problem);
  }
  for (const input of complete ? runbook.inputs : []) {
    if (Object.hasOwn(values, input.name) || Object.hasOwn(given, input.name)) continue;
    if (input.default !== undefined) values[input.name] = structuredClone(input.default);
    else if (input.required) {
      diagnostics.push(
        diagnostic(
          'RB_INPUT_MISSING',
          source,
          `runbook "${runbook.name}" needs input "${input.name}"${input.description === undefined ? '' : ` (${input.description})`}`,
          `pass --input ${input.name}=${example(input.type)}`,
        ),
      );
    }
  }
  return diagnostics.length > 0 ? { diagnostics } : { value: values, diagnostics };
}

function readValue(text: string, type: InputType): unknown {
  let parsed: unknown;
  try {
    parsed = parse(text, { maxAliasCount: 10 }) as unknown;
  } catch {
    return text;
  }
  if (type === 'string') return typeof parsed === 'string' ? parsed : text;
  return parsed ?? text;
}

function checkValue(input: InputDecl, value: unknown, source: SourceRef): Diagnostic | undefined {
  if (!matchesType(value, input.type)) {
    return diagnostic(
      'RB_INPUT_TYPE',
      source,
      `input "${input.name}" must be ${TYPE_PHRASES[input.type]}, not ${JSON.stringify(value)}`,
      `pass --input ${input.name}=${example(input.type)}`,
    );
  }
  if (input.enum !== undefined && !input.enum.some((allowed) => sameValue(allowed, value))) {
    return diagnostic(
      'RB_BAD_VALUE',
      source,
      `input "${input.name}" must be one of ${input.enum.map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(value)}`,
      typeof value === 'string'
        ? didYouMean(value, input.enum.filter((v): v is string => typeof v === 'string'))
        : undefined,
    );
  }
  return undefined;
}

const TYPE_PHRASES: Readonly<Record<InputType, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping like {key: value}',
  array: 'a list like [a, b]',
};

function example(type: InputType): string {
  switch (type) {
    case 'string':
      return 'VALUE';
    case 'number':
      return '1.5';
    case 'integer':
      return '3';
    case 'boolean':
      return 'true';
    case 'object':
      return "'{key: value}'";
    case 'array':
      return "'[a, b]'";
  }
}

/** Does `value` have the declared input type? */
export function matchesType(value: unknown, type: InputType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** Structural equality for enum membership (values come from YAML: plain data only). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
