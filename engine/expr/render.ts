/**
 * How a value reads when it lands inside text: strings as is, numbers and booleans with `String()`, null as
 * nothing, lists and maps as compact JSON (so `--labels ${{ inputs.labels }}` gets `{"function":"production"}`).
 */
export function renderText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '';
    case 'object':
      if (value === null) return '';
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value, jsonSafe) ?? '';
    default:
      return String(value);
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}
