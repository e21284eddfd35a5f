// Reads Bicep files with a real Bicep grammar (tree-sitter-bicep, run through web-tree-sitter's WebAssembly build,
// so nothing is compiled here) and answers the questions the infra tests ask: syntax problems, declarations,
// object properties, and the value of an expression where it is known before deployment.
//
// Two known gaps of tree-sitter-bicep 1.1.0, both handled narrowly:
// - it predates the `extension` keyword (Bicep renamed `import`/`provider` to it), so toGrammarDialect rewrites
//   exactly `extension <alias>` lines to the older `import '<alias>'` form before parsing; anything else stays;
// - a string literal that is exactly '//' is read as a comment start, so the templates avoid that literal.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parserReady: Promise<Parser> | undefined;

export function bicepParser(): Promise<Parser> {
  parserReady ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserReady;
}

/** Rewrites `extension alias` (Bicep >= 0.30) into `import 'alias'`, the same statement in the grammar's dialect. */
export function toGrammarDialect(source: string): string {
  return source.replace(/^extension[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*$/gm, "import '$1'");
}

export interface BicepFile {
  path: string;
  source: string;
  root: Node;
}

/** The path of a source parsed from a string. */
const INLINE = '<inline>';

export async function parseBicep(source: string, path = INLINE): Promise<BicepFile> {
  const parser = await bicepParser();
  const tree = parser.parse(toGrammarDialect(source));
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  return { path, source, root: tree.rootNode };
}

export async function readBicep(path: string): Promise<BicepFile> {
  return parseBicep(await readFile(path, 'utf8'), path);
}

export interface SyntaxProblem {
  kind: 'ERROR' | 'MISSING';
  line: number;
  column: number;
  text: string;
}

/** Every ERROR and MISSING node: a file parses cleanly when this is empty. */
export function syntaxProblems(root: Node): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const walk = (node: Node): void => {
    if (node.isError || node.isMissing) {
      problems.push({
        kind: node.isMissing ? 'MISSING' : 'ERROR',
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        text: node.isMissing ? node.type : node.text.slice(0, 80),
      });
    }
    for (const child of kids(node)) walk(child);
  };
  walk(root);
  return problems;
}

// --- tree helpers ------------------------------------------------------------------------------------------------

function kids(node: Node): Node[] {
  return node.children.filter((c): c is Node => c !== null);
}

/** Named children without comments. */
function named(node: Node): Node[] {
  return kids(node).filter((c) => c.isNamed && c.type !== 'comment' && c.type !== 'diagnostic_comment');
}

function firstOfType(node: Node, type: string): Node | undefined {
  return named(node).find((c) => c.type === type);
}

/** The text of a string literal without interpolation; undefined for anything else. */
export function stringLiteral(node: Node | undefined): string | undefined {
  if (node?.type !== 'string') return undefined;
  if (named(node).some((c) => c.type === 'interpolation')) return undefined;
  return named(node)
    .map((c) => (c.type === 'escape_sequence' ? unescape(c.text) : c.text))
    .join('');
}

function unescape(seq: string): string {
  const map: Record<string, string> = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };
  return map[seq] ?? seq;
}

function keyOf(property: Node): string | undefined {
  const key = named(property)[0];
  if (!key) return undefined;
  if (key.type === 'identifier' || key.type === 'property_identifier') return key.text;
  return stringLiteral(key);
}

/** Properties of an object literal by key (quotes removed). Nested resource declarations are left out. */
export function objectProperties(obj: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const property of named(obj).filter((c) => c.type === 'object_property')) {
    const parts = named(property);
    const key = keyOf(property);
    const value = parts[parts.length - 1];
    if (key !== undefined && value && parts.length >= 2) out.set(key, value);
  }
  return out;
}

/** A property of an object literal by path, e.g. prop(body, 'properties', 'principalId'). */
export function prop(obj: Node | undefined, ...path: string[]): Node | undefined {
  let current = obj;
  for (const key of path) {
    if (current?.type !== 'object') return undefined;
    current = objectProperties(current).get(key);
  }
  return current;
}

// --- declarations ------------------------------------------------------------------------------------------------

export interface Decorated {
  /** Decorator function names, e.g. ['secure', 'description']. */
  decorators: string[];
  decoratorNodes: Node[];
}

export interface ParamDecl extends Decorated {
  name: string;
  type: string;
  defaultValue: Node | undefined;
}

export interface OutputDecl extends Decorated {
  name: string;
  type: string;
  value: Node;
}

export interface ModuleDecl {
  name: string;
  path: string;
  /** The module's object body (inside `if (...)` or `[for ...]`). */
  body: Node;
  condition: Node | undefined;
  loop: boolean;
}

export interface ResourceDecl {
  name: string;
  /** Full type, e.g. Microsoft.KeyVault/vaults/secrets (nested child types are completed from the parent). */
  type: string;
  /** Undefined for a nested resource that inherits its parent's API version. */
  apiVersion: string | undefined;
  existing: boolean;
  body: Node;
  condition: Node | undefined;
  loop: boolean;
  /** Symbolic name of the enclosing resource for nested declarations. */
  parent: string | undefined;
}

function decoratorNames(nodes: Node[]): string[] {
  return nodes.flatMap((d) =>
    named(d)
      .filter((x) => x.type === 'decorator')
      .map((x) => {
        const call = firstOfType(x, 'call_expression');
        return call?.childForFieldName('function')?.text ?? x.text;
      }),
  );
}

/** The argument nodes of a decorator by function name (`decoratorArguments(p, 'minValue')`); undefined when absent. */
export function decoratorArguments(decl: Decorated, name: string): Node[] | undefined {
  for (const group of decl.decoratorNodes) {
    for (const decorator of named(group).filter((x) => x.type === 'decorator')) {
      const call = firstOfType(decorator, 'call_expression');
      if (call?.childForFieldName('function')?.text !== name) continue;
      const args = call.childForFieldName('arguments');
      return args ? named(args) : [];
    }
  }
  return undefined;
}

/** Top-level statements paired with the decorators written above them. */
function statements(file: BicepFile): { node: Node; decorators: Node[] }[] {
  const out: { node: Node; decorators: Node[] }[] = [];
  let pending: Node[] = [];
  for (const child of named(file.root)) {
    if (child.type === 'decorators') {
      pending.push(child);
      continue;
    }
    out.push({ node: child, decorators: pending });
    pending = [];
  }
  return out;
}

export function params(file: BicepFile): ParamDecl[] {
  return statements(file)
    .filter((s) => s.node.type === 'parameter_declaration')
    .map(({ node, decorators }) => {
      const parts = named(node);
      return {
        name: parts[0]!.text,
        type: parts[1]!.text,
        defaultValue: parts[2],
        decorators: decoratorNames(decorators),
        decoratorNodes: decorators,
      };
    });
}

export function variables(file: BicepFile): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const { node } of statements(file).filter((s) => s.node.type === 'variable_declaration')) {
    const parts = named(node);
    out.set(parts[0]!.text, parts[parts.length - 1]!);
  }
  return out;
}

export function outputs(file: BicepFile): OutputDecl[] {
  return statements(file)
    .filter((s) => s.node.type === 'output_declaration')
    .map(({ node, decorators }) => {
      const parts = named(node);
      return {
        name: parts[0]!.text,
        type: parts[1]!.text,
        value: parts[parts.length - 1]!,
        decorators: decoratorNames(decorators),
        decoratorNodes: decorators,
      };
    });
}

/** Splits `= if (cond) {..}`, `= [for ...: {..}]` and `= {..}` into body, condition and loop flag. */
function unwrapBody(value: Node): { body: Node; condition: Node | undefined; loop: boolean } {
  if (value.type === 'object') return { body: value, condition: undefined, loop: false };
  if (value.type === 'if_statement') {
    const [condition, body] = named(value);
    return { body: body!, condition, loop: false };
  }
  if (value.type === 'for_statement') {
    const body = value.childForFieldName('body') ?? named(value).at(-1)!;
    const inner = unwrapBody(body);
    return { ...inner, loop: true };
  }
  throw new Error(`unexpected declaration body ${value.type}`);
}

export function modules(file: BicepFile): ModuleDecl[] {
  return statements(file)
    .filter((s) => s.node.type === 'module_declaration')
    .map(({ node }) => {
      const parts = named(node);
      const path = stringLiteral(parts[1]);
      if (path === undefined) throw new Error(`module ${parts[0]?.text ?? '?'} has no literal path`);
      return { name: parts[0]!.text, path, ...unwrapBody(parts[parts.length - 1]!) };
    });
}

function resourceDecl(node: Node, parent: ResourceDecl | undefined): ResourceDecl {
  const parts = named(node);
  const typeRef = stringLiteral(parts[1]);
  if (typeRef === undefined) throw new Error(`resource ${parts[0]?.text ?? '?'} has no literal type`);
  const [typeName, apiVersion] = typeRef.split('@') as [string, string | undefined];
  const type = parent && !typeName.includes('/') ? `${parent.type}/${typeName}` : typeName;
  return {
    name: parts[0]!.text,
    type,
    apiVersion,
    existing: kids(node).some((c) => c.type === 'existing'),
    ...unwrapBody(parts[parts.length - 1]!),
    parent: parent?.name,
  };
}

/** Resource declarations, nested ones included (after their parent). */
export function resources(file: BicepFile): ResourceDecl[] {
  const out: ResourceDecl[] = [];
  const visit = (node: Node, parent: ResourceDecl | undefined): void => {
    const decl = resourceDecl(node, parent);
    out.push(decl);
    for (const property of named(decl.body).filter((c) => c.type === 'object_property')) {
      const nested = firstOfType(property, 'resource_declaration');
      if (nested) visit(nested, decl);
    }
  };
  for (const { node } of statements(file).filter((s) => s.node.type === 'resource_declaration')) visit(node, undefined);
  return out;
}

// --- evaluation --------------------------------------------------------------------------------------------------

/** A value only known at deployment time; `text` is its Bicep source. */
export class Unknown {
  constructor(readonly text: string) {}
}

export type BicepValue = string | number | boolean | null | Unknown | BicepValue[] | { [key: string]: BicepValue };

export interface Scope {
  lookup(name: string): BicepValue | undefined;
  /** Folder of the file, for loadJsonContent; unset for inline sources. */
  readonly directory?: string;
}

/**
 * Evaluates literals, references to parameters and variables, member and index access, string interpolation,
 * loadJsonContent and a few pure functions (concat-free subset the templates use). Anything else is Unknown. Interpolations keep the
 * source of their unknown parts, e.g. '@Microsoft.KeyVault(SecretUri=${clientStateUri})'.
 */
export function evaluate(node: Node, scope: Scope): BicepValue {
  switch (node.type) {
    case 'string': {
      let out = '';
      for (const part of named(node)) {
        if (part.type === 'interpolation') {
          const inner = named(part)[0];
          const v = inner ? evaluate(inner, scope) : new Unknown('');
          out += typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : part.text;
        } else out += part.type === 'escape_sequence' ? unescape(part.text) : part.text;
      }
      return out;
    }
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    case 'array':
      return named(node).map((c) => evaluate(c, scope));
    case 'object': {
      const out: Record<string, BicepValue> = {};
      for (const [key, value] of objectProperties(node)) out[key] = evaluate(value, scope);
      return out;
    }
    case 'parenthesized_expression':
      return named(node)[0] ? evaluate(named(node)[0]!, scope) : new Unknown(node.text);
    case 'identifier':
      return scope.lookup(node.text) ?? new Unknown(node.text);
    case 'member_expression': {
      const object = node.childForFieldName('object');
      const property = node.childForFieldName('property');
      if (!object || !property) return new Unknown(node.text);
      return member(evaluate(object, scope), property.text, node.text);
    }
    case 'subscript_expression': {
      const object = node.childForFieldName('object');
      const index = node.childForFieldName('index');
      if (!object || !index) return new Unknown(node.text);
      const key = evaluate(index, scope);
      if (typeof key !== 'string' && typeof key !== 'number') return new Unknown(node.text);
      return member(evaluate(object, scope), key, node.text);
    }
    case 'unary_expression': {
      const v = evaluate(node.childForFieldName('argument') ?? node, scope);
      return typeof v === 'boolean' && node.childForFieldName('operator')?.text === '!' ? !v : new Unknown(node.text);
    }
    case 'call_expression':
      return call(node, scope);
    default:
      return new Unknown(node.text);
  }
}

function member(object: BicepValue, key: string | number, text: string): BicepValue {
  if (Array.isArray(object) && typeof key === 'number') return object[key] ?? new Unknown(text);
  if (object !== null && typeof object === 'object' && !(object instanceof Unknown) && !Array.isArray(object)) {
    return object[String(key)] ?? new Unknown(text);
  }
  return new Unknown(text);
}

function call(node: Node, scope: Scope): BicepValue {
  const fn = node.childForFieldName('function')?.text;
  const argsNode = node.childForFieldName('arguments');
  const args = argsNode ? named(argsNode).map((a) => evaluate(a, scope)) : [];
  const strings = args.every((a): a is string => typeof a === 'string');
  if (fn === 'empty' && args.length === 1) {
    const [a] = args;
    if (typeof a === 'string' || Array.isArray(a)) return a.length === 0;
    if (a !== null && typeof a === 'object' && !(a instanceof Unknown)) return Object.keys(a).length === 0;
  }
  if (fn === 'toLower' && strings && args.length === 1) return (args[0] as string).toLowerCase();
  // Bicep inlines the file at build time, relative to the template.
  if (fn === 'loadJsonContent' && strings && args.length === 1 && scope.directory !== undefined) {
    return JSON.parse(readFileSync(join(scope.directory, args[0] as string), 'utf8')) as BicepValue;
  }
  if (fn === 'join' && args.length === 2 && Array.isArray(args[0]) && typeof args[1] === 'string') {
    const items = args[0];
    if (items.every((i): i is string => typeof i === 'string')) return items.join(args[1]);
  }
  return new Unknown(node.text);
}

/** Scope of a file: parameters (given values first, then defaults) and variables, evaluated on demand. */
export function fileScope(file: BicepFile, given: Record<string, BicepValue> = {}): Scope {
  const paramDefaults = new Map(params(file).map((p) => [p.name, p.defaultValue]));
  const vars = variables(file);
  const cache = new Map<string, BicepValue>();
  const scope: Scope = {
    ...(file.path === INLINE ? {} : { directory: dirname(file.path) }),
    lookup(name) {
      if (name in given) return given[name];
      if (cache.has(name)) return cache.get(name);
      const source = vars.get(name) ?? paramDefaults.get(name);
      if (source === undefined) return undefined;
      cache.set(name, new Unknown(name)); // cycles stay unknown
      const value = evaluate(source, scope);
      cache.set(name, value);
      return value;
    },
  };
  return scope;
}

/** The values main.bicep passes to a module, evaluated in main.bicep's scope. */
export function moduleArguments(module: ModuleDecl, scope: Scope): Record<string, BicepValue> {
  const paramsNode = prop(module.body, 'params');
  const out: Record<string, BicepValue> = {};
  if (paramsNode?.type !== 'object') return out;
  for (const [key, value] of objectProperties(paramsNode)) out[key] = evaluate(value, scope);
  return out;
}

export function isKnown(value: BicepValue): value is Exclude<BicepValue, Unknown> {
  return !(value instanceof Unknown);
}

const DECLARATIONS = new Set([
  'parameter_declaration',
  'variable_declaration',
  'output_declaration',
  'resource_declaration',
  'module_declaration',
  'type_declaration',
  'user_defined_function',
  'metadata_declaration',
]);

/** Identifiers used as references (not declared names, not object keys): what the unused-symbol rules look at. */
export function referencedIdentifiers(file: BicepFile): Set<string> {
  const out = new Set<string>();
  const walk = (node: Node): void => {
    if (node.type === 'identifier') {
      const parent = node.parent;
      const first = parent ? named(parent)[0] : undefined;
      const declaresOrKeys =
        parent !== null && first?.id === node.id && (DECLARATIONS.has(parent.type) || parent.type === 'object_property');
      if (!declaresOrKeys) out.add(node.text);
    }
    for (const child of kids(node)) walk(child);
  };
  walk(file.root);
  return out;
}
