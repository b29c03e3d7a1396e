/**
 * Ansible's INI inventory format: hosts before any section are ungrouped; `[group]` lists hosts
 * (`name [key=value …]`, `name:port`, ranges like `node[1:3]`), `[group:vars]` holds `key=value` lines and
 * `[group:children]` names child groups. `#` and `;` start comment lines. Every problem comes back with its
 * line and column; nothing is thrown.
 */
import { diagnostic } from '../../dsl/diagnostics.js';
import type { Diagnostic, Loaded, SourceRef } from '../../dsl/diagnostics.js';
import { addHost, emptyInventory, formatName, groupOf } from './model.js';
import type { AnsibleGroup, AnsibleInventory, AnsibleVars } from './model.js';
import { expandHostPattern } from './ranges.js';

const PREFIX = formatName('INI');
const SECTION = /^\[([^\]]*)\]\s*(?:[#;].*)?$/;
const GROUP_NAME = /^[A-Za-z0-9_.-]+$/;

type Section = { readonly kind: 'hosts' | 'vars' | 'children'; readonly group: AnsibleGroup };

interface Token {
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly col: number;
}

/** Parses an INI inventory; the value is present only when there is no error. */
export function parseIniInventory(file: string, text: string): Loaded<AnsibleInventory> {
  const inv = emptyInventory('INI', file);
  const diagnostics: Diagnostic[] = [];
  const at = (line: number, col: number): SourceRef => ({ file, line, col });
  const problem = (line: number, col: number, message: string, hint: string) =>
    diagnostics.push(diagnostic('RB_INV_ANSIBLE_SYNTAX', at(line, col), `${PREFIX}: ${message}`, hint));
  let section: Section = { kind: 'hosts', group: groupOf(inv, 'ungrouped', at(1, 1)) };
  text.split('\n').forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (body === '' || body.startsWith('#') || body.startsWith(';')) return;
    if (body.startsWith('[')) {
      const next = sectionOf(inv, body, at(lineNo, indent + 1));
      if ('problem' in next) problem(lineNo, indent + 1, next.problem, next.hint);
      else section = next;
      return;
    }
    if (section.kind === 'vars') {
      const eq = body.indexOf('=');
      const key = eq < 0 ? '' : body.slice(0, eq).trim();
      if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        problem(lineNo, indent + 1, `"${body}" in [${section.group.name}:vars] is not a variable`, 'write one `name=value` per line');
        return;
      }
      section.group.vars.set(key, { value: varValue(body.slice(eq + 1)), source: at(lineNo, indent + 1) });
      return;
    }
    const tokens = tokenize(line);
    if ('problem' in tokens) {
      problem(lineNo, tokens.col, tokens.problem, 'close the quote');
      return;
    }
    const [first, ...rest] = tokens;
    if (first === undefined) return;
    if (section.kind === 'children') {
      if (rest.length > 0 || !GROUP_NAME.test(first.text)) {
        problem(lineNo, first.col, `"${body}" in [${section.group.name}:children] is not a group name`, 'write one group name per line (letters, digits, _ . -)');
        return;
      }
      section.group.children.push({ name: first.text, source: at(lineNo, first.col) });
      groupOf(inv, first.text, at(lineNo, first.col));
      return;
    }
    const vars: AnsibleVars = new Map();
    let ok = true;
    // One problem per line: after a stray word, the rest of the line is not worth reading.
    for (const token of rest) {
      const eq = token.text.indexOf('=');
      if (eq <= 0) {
        problem(lineNo, token.col, `"${token.text}" after host "${first.text}" is not a variable`, 'write `host name=value …`; quote values with spaces, e.g. note="two words"; comments start with #');
        ok = false;
        break;
      }
      vars.set(token.text.slice(0, eq), { value: token.text.slice(eq + 1), source: at(lineNo, token.col) });
    }
    const named = hostAndPort(first.text);
    // As in Ansible, an ansible_port on the line wins over `host:port`.
    if (named.port !== undefined && !vars.has('ansible_port')) {
      vars.set('ansible_port', { value: named.port, source: at(lineNo, first.col + named.host.length + 1) });
    }
    const expanded = expandHostPattern(named.host);
    if ('problem' in expanded) {
      problem(lineNo, first.col, expanded.problem, expanded.hint);
      return;
    }
    if (!ok) return;
    for (const host of expanded.hosts) addHost(inv, section.group, host, at(lineNo, first.col), vars);
  });
  const ungrouped = inv.groups.get('ungrouped');
  if (ungrouped !== undefined && ungrouped.hosts.size === 0 && ungrouped.children.length === 0) inv.groups.delete('ungrouped');
  return diagnostics.length > 0 ? { diagnostics } : { value: inv, diagnostics };
}

function sectionOf(inv: AnsibleInventory, body: string, source: SourceRef): Section | { problem: string; hint: string } {
  const m = SECTION.exec(body);
  const hint = 'write a section as [group], [group:vars] or [group:children]';
  if (m === null) return { problem: `"${body}" is not a section header`, hint };
  const [name = '', kind = 'hosts', extra] = (m[1] ?? '').split(':');
  if (extra !== undefined || !GROUP_NAME.test(name)) return { problem: `"${body}" is not a section header`, hint };
  if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
    return { problem: `[${name}:${kind}]: a section is :vars or :children, not :${kind}`, hint };
  }
  return { kind, group: groupOf(inv, name, source) };
}

/** `host:port` (not an IPv6 address): the port as a host variable, as Ansible reads it. */
function hostAndPort(text: string): { host: string; port?: string } {
  const m = /^([^:]+):(\d+)$/.exec(text);
  return m === null ? { host: text } : { host: m[1] as string, port: m[2] as string };
}

/** A `:vars` value: quotes removed, a trailing ` # comment` dropped from an unquoted one. */
function varValue(written: string): string {
  const v = written.trim();
  const quoted = /^(["'])(.*)\1$/.exec(v);
  if (quoted !== null) return quoted[2] as string;
  return v.replace(/\s+#.*$/, '');
}

/**
 * Splits a host line like a shell would: whitespace separates, quotes group (and are removed), `#` after
 * whitespace starts a comment.
 */
function tokenize(line: string): Token[] | { problem: string; col: number } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length || line[i] === '#') break;
    const col = i + 1;
    let text = '';
    while (i < line.length && !/\s/.test(line[i] as string)) {
      const c = line[i] as string;
      if (c === '"' || c === "'") {
        const close = line.indexOf(c, i + 1);
        if (close < 0) return { problem: `a ${c === '"' ? 'double' : 'single'} quote is not closed`, col: i + 1 };
        text += line.slice(i + 1, close);
        i = close + 1;
      } else {
        text += c;
        i++;
      }
    }
    tokens.push({ text, col });
  }
  return tokens;
}
