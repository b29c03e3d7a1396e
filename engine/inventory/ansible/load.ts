/**
 * Reading an Ansible inventory, INI or YAML, into the written form of a native inventory.
 */
import type { Loaded } from '../../dsl/diagnostics.js';
import { parseIniInventory } from './ini.js';
import type { AnsibleInventory } from './model.js';
import { ansibleToNative, type Converted } from './to-native.js';
import { parseYamlInventory } from './yaml.js';

export function readAnsibleInventory(format: 'ansible-ini' | 'ansible-yaml', file: string, text: string): Loaded<Converted> {
  const parsed: Loaded<AnsibleInventory> = format === 'ansible-ini' ? parseIniInventory(file, text) : parseYamlInventory(file, text);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const converted = ansibleToNative(parsed.value);
  return { ...converted, diagnostics: [...parsed.diagnostics, ...converted.diagnostics] };
}
