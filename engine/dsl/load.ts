/**
 * Reading a YAML file into a document with positions. Nothing here throws on bad input: syntax errors,
 * duplicate keys, alias bombs, deep nesting, empty files and non-mapping roots all come back as diagnostics.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import jsYaml from 'js-yaml';
import { Composer, Lexer, LineCounter, Parser, isAlias, parseDocument, visit } from 'yaml';
import type { CST, Document, YAMLError } from 'yaml';
import { diagnostic } from './diagnostics.js';
import type { Diagnostic, Loaded } from './diagnostics.js';
import { fileStart, refAtOffset } from './positions.js';
import type { YamlSource } from './positions.js';

/** Aliases expanded at most this many times: a "billion laughs" document is refused, not expanded. */
export const MAX_ALIASES = 100;
/** Deeper nesting than this is refused before composing, which recurses once per level. */
export const MAX_DEPTH = 64;

/** Lexer tokens that mark structure without standing for source characters. */
const CONTROL_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/** A file's text and the sha256 of its bytes. */
export interface SourceText {
  /** Absolute path. */
  readonly file: string;
  readonly text: string;
  readonly hash: string;
}

/** Reads `file` (unless `text` is given) and hashes its bytes. */
export function readSource(file: string, text?: string): Loaded<SourceText> {
  const absolute = resolvePath(file);
  if (text !== undefined) {
    return { value: { file: absolute, text, hash: sha256(Buffer.from(text, 'utf8')) }, diagnostics: [] };
  }
  try {
    const bytes = readFileSync(absolute);
    return { value: { file: absolute, text: bytes.toString('utf8'), hash: sha256(bytes) }, diagnostics: [] };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (code ?? 'unreadable');
    return {
      diagnostics: [diagnostic('RB_FILE_NOT_FOUND', fileStart(absolute), `cannot read ${absolute}: ${why}`)],
    };
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A YAML file whose root is a mapping, with its plain data. */
export interface ParsedYaml {
  readonly source: YamlSource;
  readonly data: Record<string, unknown>;
}

/**
 * Parses `text` as one YAML document whose root must be a mapping.
 *
 * The `yaml` library keeps source positions but reads about 1.5 MB/s; js-yaml reads ten times faster
 * and keeps none. A valid file needs positions only when something is wrong with it, so a file that
 * js-yaml reads cleanly (no syntax error, no duplicate key, no alias of a collection) is read by
 * js-yaml and its positions are computed by `yaml` on first use. Anything unusual takes the careful
 * path, which reports every problem with its position.
 */
export function parseYaml(file: string, text: string): Loaded<ParsedYaml> {
  return parseQuickly(file, text) ?? parseCarefully(file, text);
}

function parseQuickly(file: string, text: string): Loaded<ParsedYaml> | undefined {
  if (mayBeDeep(text)) return undefined;
  let data: unknown;
  try {
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file });
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || sharesCollections(data)) return undefined;
  return { value: { source: lazySource(file, text), data: data as Record<string, unknown> }, diagnostics: [] };
}

/** True when one list or mapping appears twice in the tree: an alias, which the careful path counts. */
function sharesCollections(root: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (seen.has(value)) return true;
    seen.add(value);
    stack.push(...(Array.isArray(value) ? value : Object.values(value)));
  }
  return false;
}

/** A source whose document and line table are built on first use. */
function lazySource(file: string, text: string): YamlSource {
  let built: { doc: Document.Parsed; lineCounter: LineCounter } | undefined;
  const build = (): { doc: Document.Parsed; lineCounter: LineCounter } => {
    if (built === undefined) {
      const lineCounter = new LineCounter();
      built = { doc: parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter };
    }
    return built;
  };
  return {
    file,
    text,
    get doc() {
      return build().doc;
    },
    get lineCounter() {
      return build().lineCounter;
    },
  };
}

function parseCarefully(file: string, text: string): Loaded<ParsedYaml> {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed | undefined;
  let extraDocument: number | undefined;
  try {
    const deepBracket = mayBeDeep(text) ? tooDeepFlow(text) : undefined;
    // Composing recurses once per level: refuse deep nesting before it gets there.
    if (deepBracket !== undefined) return tooDeepDiagnostic(file, text, deepBracket);
    const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
    const deep = tooDeep(tokens);
    if (deep !== undefined) return tooDeepDiagnostic(file, text, deep);
    for (const next of new Composer({ uniqueKeys: true, prettyErrors: false }).compose(tokens, true, text.length)) {
      if (doc === undefined) doc = next;
      else {
        extraDocument = next.range[0];
        break;
      }
    }
  } catch (e) {
    return { diagnostics: [diagnostic('RB_YAML_SYNTAX', fileStart(file), `cannot parse YAML: ${describe(e)}`)] };
  }
  if (doc === undefined) return { diagnostics: [diagnostic('RB_EMPTY_FILE', fileStart(file), 'the file is empty')] };
  const source: YamlSource = { file, text, doc, lineCounter };
  const problems = [
    ...doc.errors.map((e) => yamlDiagnostic(source, e, 'error')),
    ...doc.warnings.map((e) => yamlDiagnostic(source, e, 'warning')),
  ];
  if (extraDocument !== undefined) {
    problems.push(
      diagnostic(
        'RB_YAML_SYNTAX',
        refAtOffset(source, extraDocument),
        'the file holds more than one YAML document (`---`)',
        'keep one per file',
      ),
    );
  }
  if (problems.some((d) => d.severity === 'error')) return { diagnostics: problems };
  const root = doc.contents;
  if (root === null) {
    return {
      diagnostics: [
        ...problems,
        diagnostic('RB_EMPTY_FILE', fileStart(file), 'the file is empty', 'start with `name:` and `steps:`'),
      ],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const aliasBomb = e instanceof ReferenceError && /alias/i.test(e.message);
    return {
      diagnostics: [
        ...problems,
        aliasBomb
          ? diagnostic(
              'RB_ALIAS_LIMIT',
              firstAlias(source),
              `aliases expand to too many nodes (limit ${MAX_ALIASES})`,
              'write the values out instead of nesting aliases of aliases',
            )
          : diagnostic('RB_YAML_SYNTAX', fileStart(file), `cannot read YAML: ${describe(e)}`),
      ],
    };
  }
  if (containsItself(data)) {
    return {
      diagnostics: [
        ...problems,
        diagnostic('RB_ALIAS_LIMIT', firstAlias(source), 'an alias refers to a node that contains it', 'remove the recursive alias'),
      ],
    };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      diagnostics: [
        ...problems,
        diagnostic(
          'RB_NOT_A_MAPPING',
          root.range === undefined ? fileStart(file) : refAtOffset(source, root.range[0]),
          `the top level must be a mapping of keys (like \`name:\`), not ${Array.isArray(data) ? 'a list' : 'a single value'}`,
          'start with `name:` and `steps:` at the beginning of a line',
        ),
      ],
    };
  }
  return { value: { source, data: data as Record<string, unknown> }, diagnostics: problems };
}

/** What to write instead, for the YAML mistakes people make in runbooks. */
const YAML_HINTS: Partial<Record<YAMLError['code'], string>> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs there',
  BAD_INDENT: 'line the keys of one mapping up in the same column, and close every [ with ] and { with }',
  MISSING_CHAR: 'close the quote, or put `: value` after the key',
  BLOCK_AS_IMPLICIT_KEY: 'quote a value that contains ": ", e.g. msg: "a: b", or put the inner mapping on its own indented lines',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; quote a value that contains ": "',
  BAD_SCALAR_START: 'quote a value that starts with @, ` or %',
  UNEXPECTED_TOKEN: 'a list (`- item`) and a mapping (`key: value`) cannot share one indentation level',
};

function yamlDiagnostic(src: YamlSource, e: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  const at = refAtOffset(src, e.pos[0]);
  // The position is in the diagnostic already: drop the library's own "at line L, column C:".
  const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
  const base = e.code === 'DUPLICATE_KEY'
    ? diagnostic('RB_DUPLICATE_KEY', at, 'this key appears twice in the same mapping', 'keep one of them')
    : diagnostic('RB_YAML_SYNTAX', at, lowerFirst(message), YAML_HINTS[e.code]);
  return severity === 'error' ? base : { ...base, severity };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function tooDeepDiagnostic(file: string, text: string, offset: number): Loaded<ParsedYaml> {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return {
    diagnostics: [
      diagnostic(
        'RB_YAML_SYNTAX',
        { file, line, col },
        `nesting deeper than ${MAX_DEPTH} levels`,
        'flatten the structure; runbooks and inventories never need this depth',
      ),
    ],
  };
}

/** A quick over-estimate: could brackets nest deeper than the limit (quotes and comments not considered)? */
function mayBeDeep(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return false;
}

/**
 * Offset of the first flow bracket nested deeper than `MAX_DEPTH`, from the token stream, which stops there:
 * a megabyte of `[` is refused without building its syntax tree.
 */
function tooDeepFlow(text: string): number | undefined {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') depth++;
    else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
    if (depth > MAX_DEPTH) return offset;
    if (!CONTROL_TOKENS.has(token)) offset += token.length;
  }
  return undefined;
}

/** Offset of the first node nested deeper than `MAX_DEPTH` in the concrete syntax tree (walked without recursion). */
function tooDeep(tokens: readonly CST.Token[]): number | undefined {
  for (const token of tokens) {
    const stack: Array<readonly [CST.Token | undefined, number]> = [[token, 0]];
    while (stack.length > 0) {
      const [tok, depth] = stack.pop() ?? [undefined, 0];
      if (tok === undefined) continue;
      if (depth > MAX_DEPTH) return tok.offset;
      if (tok.type === 'document') stack.push([tok.value, depth]);
      else if (tok.type === 'block-map' || tok.type === 'block-seq' || tok.type === 'flow-collection') {
        for (const item of tok.items) {
          if ('key' in item && item.key) stack.push([item.key, depth + 1]);
          if (item.value) stack.push([item.value, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

function firstAlias(src: YamlSource) {
  let at = fileStart(src.file);
  visit(src.doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range) at = refAtOffset(src, node.range[0]);
      return visit.BREAK;
    },
  });
  return at;
}

/** True when following values leads back to a value being visited (a recursive alias). */
function containsItself(root: unknown): boolean {
  const onPath = new Set<object>();
  const check = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (onPath.has(value) || depth > MAX_DEPTH * 4) return true;
    onPath.add(value);
    const children = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
    const found = children.some((child) => check(child, depth + 1));
    onPath.delete(value);
    return found;
  };
  return check(root, 0);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
