/**
 * `runbook inventory import FILE`: prints the native inventory equivalent to an Ansible INI or YAML inventory
 * on stdout, for an operator who wants to keep one file and add what Ansible has no words for (power
 * commands, stacks). Problems go to stderr; an invalid file prints nothing on stdout and exits 2.
 */
import { basename, resolve } from 'node:path';
import { hasErrors } from '../dsl/diagnostics.js';
import { readInventory } from '../inventory/load.js';
import { printInventory } from '../inventory/print.js';
import { EXIT } from './exit-codes.js';
import { say, type CliIo } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';

const FORMAT_NAMES = { 'ansible-ini': 'Ansible INI', 'ansible-yaml': 'Ansible YAML' } as const;

export function inventoryImportCommand(io: CliIo, file: string): number {
  const path = resolve(io.cwd, file);
  const read = readInventory(path);
  printDiagnostics(io, read.diagnostics);
  if (hasErrors(read.diagnostics) || read.value === undefined) return EXIT.invalid;
  const { format, written } = read.value;
  if (format === 'native') {
    say(io, `error: ${file} is a native inventory already; use it as it is: -i ${file}`);
    return EXIT.invalid;
  }
  const header = [
    `Converted by \`runbook inventory import\` from the ${FORMAT_NAMES[format]} inventory ${basename(path)}.`,
    'Relative paths are relative to this file: keep it in the same directory.',
  ];
  io.stdout.write(printInventory(written, header));
  return EXIT.ok;
}
