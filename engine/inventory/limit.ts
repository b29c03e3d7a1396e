/**
 * `--limit PATTERN`: the nodes a run may touch, written as Ansible host patterns. Terms are separated
 * by `:` or `,`; each names a node or a group, a glob over names (`node*`, `web?`) or a regular
 * expression (`~^node[12]$`). `!term` excludes, `&term` intersects. As in Ansible, the order of terms
 * does not matter: the union of the plain terms (all nodes when there is none), intersected with every
 * `&` term, minus every `!` term.
 */
import { RunbookError } from '../errors.js';
import type { Inventory, NodeName } from './types.js';

export interface Limit {
  /** As the operator wrote it: journaled, shown, and given back to a resume. */
  readonly pattern: string;
  readonly nodes: ReadonlySet<NodeName>;
}

type Matcher = (name: string) => boolean;

function invalid(pattern: string, why: string): RunbookError {
  return new RunbookError('INVALID', `--limit ${JSON.stringify(pattern)}: ${why}`);
}

function globMatcher(glob: string): Matcher {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name);
}

function matcherOf(pattern: string, term: string): { match: Matcher; exact: boolean } {
  if (term.startsWith('~')) {
    try {
      const re = new RegExp(term.slice(1));
      return { match: (name) => re.test(name), exact: false };
    } catch (e) {
      throw invalid(pattern, `${term} is not a regular expression (${(e as Error).message}); write ~ followed by one, e.g. ~^node[12]$`);
    }
  }
  if (/[*?]/.test(term)) return { match: globMatcher(term), exact: false };
  return { match: (name) => name === term, exact: true };
}

/** The nodes one term names: nodes whose name matches, and the members of groups whose name matches. */
function nodesOf(inventory: Inventory, match: Matcher): Set<NodeName> {
  const out = new Set<NodeName>();
  for (const node of inventory.nodes) if (match(node.name)) out.add(node.name);
  for (const [group, members] of Object.entries(inventory.groups)) {
    if (match(group)) for (const member of members) out.add(member);
  }
  return out;
}

/**
 * Reads a limit against the inventory. A plain name that is neither a node nor a group, and a limit that
 * leaves no node, are the operator's mistakes: refused before anything runs.
 */
export function parseLimit(pattern: string, inventory: Inventory | undefined): Limit {
  if (inventory === undefined) throw invalid(pattern, 'a limit picks nodes of an inventory; pass -i FILE or set RUNBOOK_INVENTORY');
  const terms = pattern.split(/[:,]/).map((t) => t.trim());
  if (terms.some((t) => t === '' || t === '!' || t === '&')) {
    throw invalid(pattern, 'it has an empty term; write names, groups or globs separated by ":" (e.g. managers:!node2)');
  }
  const union = new Set<NodeName>();
  const intersections: Set<NodeName>[] = [];
  const exclusions: Set<NodeName>[] = [];
  let plain = 0;
  for (const term of terms) {
    const op = term[0] === '!' || term[0] === '&' ? term[0] : '';
    const body = term.slice(op.length);
    const { match, exact } = matcherOf(pattern, body);
    const nodes = nodesOf(inventory, match);
    if (exact && nodes.size === 0 && !inventory.nodes.some((n) => n.name === body) && inventory.groups[body] === undefined) {
      const known = [...inventory.nodes.map((n) => n.name), ...Object.keys(inventory.groups)].join(', ');
      throw invalid(pattern, `"${body}" is neither a node nor a group of cluster ${inventory.cluster}; known: ${known}`);
    }
    if (op === '!') exclusions.push(nodes);
    else if (op === '&') intersections.push(nodes);
    else {
      plain += 1;
      for (const n of nodes) union.add(n);
    }
  }
  const start = plain === 0 ? inventory.nodes.map((n) => n.name) : [...union];
  const chosen = start.filter((n) => intersections.every((s) => s.has(n)) && exclusions.every((s) => !s.has(n)));
  if (chosen.length === 0) {
    throw invalid(pattern, `it matches no node of cluster ${inventory.cluster} (nodes: ${inventory.nodes.map((n) => n.name).join(', ')}); nothing was run`);
  }
  // Inventory order, so that what is shown reads as the inventory does.
  const set = new Set(chosen);
  return { pattern, nodes: new Set(inventory.nodes.map((n) => n.name).filter((n) => set.has(n))) };
}

/** The node an instance runs on or acts on that the limit leaves out, if any. */
export function outsideLimit(limit: Limit | undefined, inventory: Inventory | undefined, nodes: readonly (string | undefined)[]): string | undefined {
  if (limit === undefined || inventory === undefined) return undefined;
  return nodes.find((n) => n !== undefined && inventory.nodes.some((node) => node.name === n) && !limit.nodes.has(n as NodeName));
}
