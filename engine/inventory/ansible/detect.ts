/**
 * Which format an inventory file is written in, told from its content (the extension says nothing: Ansible
 * inventories are often called `hosts`). A quick look at the significant lines, before any parsing:
 *
 * - a first line `[group]` or `name key=value …` is Ansible INI;
 * - top-level `cluster:` or `nodes:` is the native format;
 * - top-level `all:`, or groups holding `hosts:` / `children:` / `vars:`, is Ansible YAML;
 * - anything else is read as native, whose loader explains what is wrong.
 */

export type InventoryFormat = 'native' | 'ansible-ini' | 'ansible-yaml';

/** `[group]`, `[group:vars]`, and `[group` missing its bracket (which the INI reader then reports). */
const INI_SECTION = /^\[[^\],{}]*\]?\s*(?:[#;].*)?$/;
/** A bare host name, or a host followed by `key=value` words: no `key:` of YAML, no list or flow collection. */
const INI_HOST = /^[^\s=:#\-[\]{}"'][^\s=]*(?::\d+)?(?:\s+\S+=.*)?(?:\s+#.*)?$/;
const TOP_KEY = /^([^\s#:][^:#]*?)\s*:(?:\s|$)/;
const GROUP_KEY = /^\s+(hosts|children|vars)\s*:(?:\s|$)/;

export function detectInventoryFormat(text: string): InventoryFormat {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  const first = lines[0]?.trim();
  if (first === undefined) return 'native';
  if (INI_SECTION.test(first)) return 'ansible-ini';
  const topKeys = new Set(lines.map((l) => TOP_KEY.exec(l)?.[1]).filter((k): k is string => k !== undefined));
  if (topKeys.has('cluster') || topKeys.has('nodes')) return 'native';
  if (topKeys.has('all') || lines.some((l) => GROUP_KEY.test(l))) return 'ansible-yaml';
  if (topKeys.size === 0 && INI_HOST.test(first)) return 'ansible-ini';
  return 'native';
}
