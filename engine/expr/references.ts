/**
 * Static analysis of an expression's AST: which context values does it read? The validator uses it to reject
 * unknown steps and inputs, the planner to tell what is unknown until run time, and evaluation to convert only
 * the parts of the context an expression can reach.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { program } from './parse.js';

/**
 * A read of the context: the root name and the chain of static member accesses after it, and the 0-based
 * offset of the root in the expression source. `steps.label.outputs['stdout']` →
 * `{ path: ['steps', 'label', 'outputs', 'stdout'], offset: 0 }`.
 */
export interface Reference {
  readonly path: readonly string[];
  readonly offset: number;
}

/** The names an expression may start from. `result` exists only in `outputs:` and `check.satisfied`. */
export const CONTEXT_ROOTS: readonly string[] = [
  'inputs',
  'steps',
  'item',
  'inventory',
  'run',
  'env',
  'result',
  'target',
];

/** Identifiers CEL itself defines: type names and namespaces, never context reads. */
const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn',
  'cel', 'optional',
]);

/** Macros whose first argument names an iteration variable scoped to the other arguments. */
const COMPREHENSIONS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

const cache = new Map<string, readonly Reference[]>();

/**
 * Every context read in `source`, in source order. Variables bound by `map`, `filter`, `all`, `exists`,
 * `exists_one` and `cel.bind` are not references. Throws ExpressionError when `checkSyntax` rejects `source`.
 */
export function references(source: string): Reference[] {
  let refs = cache.get(source);
  if (refs === undefined) {
    const out: Reference[] = [];
    visit(program(source).ast, new Set(), out);
    refs = out;
    cache.set(source, refs);
  }
  return [...refs];
}

function visit(node: ASTNode, bound: ReadonlySet<string>, out: Reference[]): void {
  switch (node.op) {
    case 'value':
      return;
    case 'id':
      if (!bound.has(node.args) && !BUILTIN_NAMES.has(node.args)) {
        out.push({ path: [node.args], offset: node.start });
      }
      return;
    case '.':
    case '.?':
    case '[]':
    case '[?]':
      visitAccess(node, bound, out);
      return;
    case 'call':
      for (const arg of node.args[1]) visit(arg, bound, out);
      return;
    case 'rcall':
      visitMethodCall(node.args, bound, out);
      return;
    case 'list':
      for (const element of node.args) visit(element, bound, out);
      return;
    case 'map':
      for (const [key, value] of node.args) {
        visit(key, bound, out);
        visit(value, bound, out);
      }
      return;
    case '!_':
    case '-_':
      visit(node.args, bound, out);
      return;
    case '?:':
      for (const operand of node.args) visit(operand, bound, out);
      return;
    default:
      for (const operand of node.args) visit(operand, bound, out);
  }
}

/** Follows `a.b['c'].?d` down to its base; a base that is a free identifier makes one reference. */
function visitAccess(node: ASTNode, bound: ReadonlySet<string>, out: Reference[]): void {
  const keys: string[] = [];
  let base: ASTNode = node;
  for (;;) {
    const key = staticKey(base);
    if (key === undefined) break;
    keys.push(key.name);
    base = key.object;
  }
  if (base === node && (node.op === '[]' || node.op === '[?]')) {
    for (const operand of node.args) visit(operand, bound, out);
    return;
  }
  if (base.op === 'id' && !bound.has(base.args) && !BUILTIN_NAMES.has(base.args)) {
    out.push({ path: [base.args, ...keys.reverse()], offset: base.start });
    return;
  }
  visit(base, bound, out);
}

/** The member name when `node` is `x.name`, `x.?name`, `x['name']` or `x[?'name']`. */
function staticKey(node: ASTNode): { object: ASTNode; name: string } | undefined {
  switch (node.op) {
    case '.':
    case '.?':
      return { object: node.args[0], name: node.args[1] };
    case '[]':
    case '[?]': {
      const [object, index] = node.args;
      if (index.op === 'value' && typeof index.args === 'string') return { object, name: index.args };
      // A computed index: the object is read as a whole, the index is an expression of its own.
      return undefined;
    }
    default:
      return undefined;
  }
}

function visitMethodCall(
  [name, receiver, args]: [string, ASTNode, ASTNode[]],
  bound: ReadonlySet<string>,
  out: Reference[],
): void {
  const [first, ...rest] = args;
  if (first?.op === 'id') {
    if (COMPREHENSIONS.has(name)) {
      visit(receiver, bound, out);
      const inner = new Set(bound).add(first.args);
      for (const arg of rest) visit(arg, inner, out);
      return;
    }
    if (name === 'bind' && receiver.op === 'id' && receiver.args === 'cel' && rest.length === 2) {
      const [init, body] = rest as [ASTNode, ASTNode];
      visit(init, bound, out);
      visit(body, new Set(bound).add(first.args), out);
      return;
    }
  }
  visit(receiver, bound, out);
  for (const arg of args) visit(arg, bound, out);
}
