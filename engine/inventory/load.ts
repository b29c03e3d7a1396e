/**
 * Loading an inventory: read → YAML → JSON Schema shape → normalize (with its own checks). Problems come back
 * as diagnostics with positions, like runbooks.
 */
import { homedir } from 'node:os';
import type { ErrorObject } from 'ajv';
import inventorySchema from '../dsl/schema/inventory.schema.json' with { type: 'json' };
import { hasErrors } from '../dsl/diagnostics.js';
import type { Diagnostic, DiagnosticCode, Loaded } from '../dsl/diagnostics.js';
import { parseYaml, readSource } from '../dsl/load.js';
import { byPosition } from '../dsl/positions.js';
import type { DataPath } from '../dsl/positions.js';
import { checkShape, compileSchema } from '../dsl/shape.js';
import { normalizeInventory } from './normalize.js';
import type { WrittenInventory } from './normalize.js';
import type { Inventory } from './types.js';

/** The inventory schema as published for editors. */
export { inventorySchema };

const validateShape = compileSchema(inventorySchema);

/** Loads and validates an inventory; reads `file` when `text` is absent. */
export function loadInventory(file: string, text?: string): Loaded<Inventory> {
  const read = readSource(file, text);
  if (read.value === undefined) return { diagnostics: read.diagnostics };
  const parsed = parseYaml(read.value.file, read.value.text);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const { source, data } = parsed.value;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  diagnostics.push(
    ...checkShape(validateShape, source, data, {
      classify,
      itemLabels: { nodes: 'node', stacks: 'stack' },
      missingCodes: { address: 'RB_INV_MISSING_ADDRESS' },
    }),
  );
  if (hasErrors(diagnostics)) return { diagnostics: byPosition(diagnostics) };
  const normalized = normalizeInventory(data as unknown as WrittenInventory, source, read.value.hash, homedir());
  const all = byPosition([...diagnostics, ...normalized.diagnostics]);
  return normalized.value === undefined ? { diagnostics: all } : { value: normalized.value, diagnostics: all };
}

function classify(error: ErrorObject, path: DataPath): DiagnosticCode | undefined {
  const [top, , field] = path;
  if (top === 'nodes' && path.length === 3 && field === 'role' && error.keyword === 'enum') return 'RB_INV_UNKNOWN_ROLE';
  return undefined;
}
