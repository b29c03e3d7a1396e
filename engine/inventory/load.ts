/**
 * Loading an inventory: read → which format (native, Ansible INI, Ansible YAML) → the written form (YAML and
 * JSON Schema shape for a native file; the Ansible reader otherwise) → normalize (with its own checks).
 * Problems come back as diagnostics with positions, like runbooks.
 */
import { homedir } from 'node:os';
import type { ErrorObject } from 'ajv';
import inventorySchema from '../dsl/schema/inventory.schema.json' with { type: 'json' };
import { hasErrors } from '../dsl/diagnostics.js';
import type { Diagnostic, DiagnosticCode, Loaded } from '../dsl/diagnostics.js';
import { parseYaml, readSource } from '../dsl/load.js';
import type { SourceText } from '../dsl/load.js';
import { byPosition } from '../dsl/positions.js';
import type { DataPath } from '../dsl/positions.js';
import { compileSchema } from '../dsl/compiled-schemas.js';
import { checkShape } from '../dsl/shape.js';
import { detectInventoryFormat, type InventoryFormat } from './ansible/detect.js';
import { readAnsibleInventory } from './ansible/load.js';
import { normalizeInventory, yamlPositions } from './normalize.js';
import type { InventoryPositions, WrittenInventory } from './normalize.js';
import type { Inventory } from './types.js';

/** The inventory schema as published for editors. */
export { inventorySchema };
export type { InventoryFormat };

const validateShape = compileSchema(inventorySchema);

/** An inventory with the format it was written in and its written (native) form. */
export interface ReadInventory {
  readonly format: InventoryFormat;
  readonly written: WrittenInventory;
  readonly inventory: Inventory;
}

/** Loads and validates an inventory, native or Ansible; reads `file` when `text` is absent. */
export function loadInventory(file: string, text?: string): Loaded<Inventory> {
  const read = readInventory(file, text);
  return read.value === undefined ? { diagnostics: read.diagnostics } : { value: read.value.inventory, diagnostics: read.diagnostics };
}

/** Like `loadInventory`, keeping the format and the written form (what `runbook inventory import` prints). */
export function readInventory(file: string, text?: string): Loaded<ReadInventory> {
  const read = readSource(file, text);
  if (read.value === undefined) return { diagnostics: read.diagnostics };
  const format = detectInventoryFormat(read.value.text);
  const written = format === 'native' ? readNative(read.value) : readAnsibleInventory(format, read.value.file, read.value.text);
  if (written.value === undefined) return { diagnostics: byPosition(written.diagnostics) };
  const normalized = normalizeInventory(written.value.written, written.value.positions, read.value.hash, homedir());
  const all = byPosition([...written.diagnostics, ...normalized.diagnostics]);
  return normalized.value === undefined
    ? { diagnostics: all }
    : { value: { format, written: written.value.written, inventory: normalized.value }, diagnostics: all };
}

function readNative(source: SourceText): Loaded<{ written: WrittenInventory; positions: InventoryPositions }> {
  const parsed = parseYaml(source.file, source.text);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const { source: yaml, data } = parsed.value;
  const diagnostics: Diagnostic[] = [
    ...parsed.diagnostics,
    ...checkShape(validateShape, yaml, data, {
      classify,
      itemLabels: { nodes: 'node', stacks: 'stack' },
      missingCodes: { address: 'RB_INV_MISSING_ADDRESS' },
    }),
  ];
  if (hasErrors(diagnostics)) return { diagnostics };
  return { value: { written: data as unknown as WrittenInventory, positions: yamlPositions(yaml) }, diagnostics };
}

function classify(error: ErrorObject, path: DataPath): DiagnosticCode | undefined {
  const [top, , field] = path;
  if (top === 'nodes' && path.length === 3 && field === 'role' && error.keyword === 'enum') return 'RB_INV_UNKNOWN_ROLE';
  return undefined;
}
