/**
 * Small helpers over the TypeScript compiler API that the fixes share: parse a cell, name a call,
 * find calls and object-literal properties, and make text edits that keep the user's formatting
 * (indentation, quotes, one-line vs multi-line literals, trailing commas). Edits are plain offset
 * ranges into the source; nothing here imports `vscode`.
 */
import ts from 'typescript';

/** One replacement in a cell's text: `[start, end)` (0-based offsets) becomes `newText`. */
export interface SourceEdit {
  start: number;
  end: number;
  newText: string;
}

/** Parses a cell's source as TypeScript (top-level await is fine in a module). */
export function parse(source: string): ts.SourceFile {
  return ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/**
 * Applies non-overlapping edits to `source`. Throws when two edits overlap: that is a bug in a fix,
 * and applying half of it would corrupt the user's cell.
 */
export function applyEdits(source: string, edits: readonly SourceEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edits at offset ${e.start}`);
    out += source.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + source.slice(at);
}

/** Dotted name of an expression made of identifiers and property accesses (`tf.layers.dense`), else undefined. */
export function dottedName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) {
    const left = dottedName(expr.expression);
    return left === undefined ? undefined : `${left}.${expr.name.text}`;
  }
  if (ts.isParenthesizedExpression(expr)) return dottedName(expr.expression);
  return undefined;
}

/** Dotted name of the function a call calls (`tf.layers.dense`, `model.compile`, `gs.fit`). */
export function callName(call: ts.CallExpression): string | undefined {
  return dottedName(call.expression);
}

/** Every call expression of the file, in source order. */
export function allCalls(sf: ts.SourceFile): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The call expression that starts exactly at `offset` (the outermost one, e.g. not `a.b` of `a.b().c()`). */
export function callAt(sf: ts.SourceFile, offset: number): ts.CallExpression | undefined {
  return allCalls(sf).find((c) => c.getStart(sf) === offset);
}

/** True for a tfjs layer factory call: `<anything>.layers.<name>(…)` or `layers.<name>(…)`. */
export function isLayerFactory(call: ts.CallExpression): boolean {
  const parts = callName(call)?.split('.');
  return parts !== undefined && parts.length >= 2 && parts[parts.length - 2] === 'layers';
}

/** The namespace prefix of a layer factory call: `tf.layers` for `tf.layers.dense(…)`. */
export function layersPrefix(call: ts.CallExpression): string {
  const parts = callName(call)!.split('.');
  return parts.slice(0, -1).join('.');
}

/** The first argument when it is an object literal (a layer's config, the fit options). */
export function objectArg(call: ts.CallExpression, index: number): ts.ObjectLiteralExpression | undefined {
  const a = call.arguments[index];
  return a && ts.isObjectLiteralExpression(a) ? a : undefined;
}

/** The `name: value` property of an object literal (identifier, string or shorthand key). */
export function findProperty(obj: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propertyName(p) === name) return p;
  }
  return undefined;
}

/** True when the literal has any property (of any form) with that key, shorthand included. */
export function hasKey(obj: ts.ObjectLiteralExpression, name: string): boolean {
  return obj.properties.some((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propertyName(p) === name);
}

function propertyName(p: ts.PropertyAssignment | ts.ShorthandPropertyAssignment): string | undefined {
  const n = p.name;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n)) return n.text;
  return undefined;
}

/** The string value of a property whose initializer is a string literal. */
export function stringProperty(obj: ts.ObjectLiteralExpression, name: string): string | undefined {
  const p = findProperty(obj, name);
  return p && ts.isStringLiteralLike(p.initializer) ? p.initializer.text : undefined;
}

/** The quote the cell uses for strings (the first string literal's), so inserted code matches. */
export function quoteOf(sf: ts.SourceFile): string {
  let q: string | undefined;
  const visit = (n: ts.Node): void => {
    if (q) return;
    if (ts.isStringLiteral(n)) q = n.getText(sf)[0];
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return q === '"' ? '"' : "'";
}

/** A string literal in the cell's quote style. */
export function quoted(sf: ts.SourceFile, s: string): string {
  const q = quoteOf(sf);
  return q + s.replaceAll('\\', '\\\\').replaceAll(q, `\\${q}`) + q;
}

/** The whitespace at the start of the line that holds `pos`. */
export function indentAt(source: string, pos: number): string {
  const lineStart = source.lastIndexOf('\n', pos - 1) + 1;
  let end = lineStart;
  while (end < source.length && (source[end] === ' ' || source[end] === '\t')) end++;
  return source.slice(lineStart, end);
}

/** True when the node spans more than one line. */
export function isMultiline(sf: ts.SourceFile, node: ts.Node): boolean {
  const a = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  const b = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
  return a !== b;
}

/**
 * Inserts `text` as a new last element of a comma-separated list (object literal properties, array
 * elements, call arguments), written like the list's existing elements: on its own line with the
 * same indentation when they are on separate lines, else inline after `, `.
 */
export function appendToList(
  sf: ts.SourceFile,
  list: ts.NodeArray<ts.Node>,
  container: ts.Node,
  text: string,
): SourceEdit {
  const source = sf.text;
  if (list.length === 0) {
    // `{}` / `[]` / `()`: the opening bracket is the container's first token.
    const open = container.getStart(sf) + 1;
    const close = container.getEnd() - 1;
    const inner = source.slice(open, close);
    if (ts.isObjectLiteralExpression(container)) return { start: open, end: close, newText: ` ${text} ` };
    return { start: open, end: close, newText: inner.trim() === '' ? text : inner + text };
  }
  const last = list[list.length - 1];
  const multiline = isMultiline(sf, container) && lineOf(sf, last.getStart(sf)) !== lineOf(sf, container.getStart(sf));
  if (list.hasTrailingComma) {
    const comma = source.indexOf(',', last.getEnd());
    const sep = multiline ? `\n${indentAt(source, last.getStart(sf))}` : ' ';
    return { start: comma + 1, end: comma + 1, newText: `${sep}${text},` };
  }
  const sep = multiline ? `,\n${indentAt(source, last.getStart(sf))}` : ', ';
  return { start: last.getEnd(), end: last.getEnd(), newText: `${sep}${text}` };
}

/** Inserts `text` as a new list element right after `element` (same layout rules as {@link appendToList}). */
export function insertAfterElement(sf: ts.SourceFile, list: ts.NodeArray<ts.Node>, element: ts.Node, text: string): SourceEdit {
  const i = list.indexOf(element);
  const next = list[i + 1];
  if (!next) {
    const container = element.parent;
    return appendToList(sf, list, container, text);
  }
  const source = sf.text;
  const sameLine = lineOf(sf, element.getStart(sf)) === lineOf(sf, next.getStart(sf));
  // Insert before `next`, so the existing comma after `element` stays where it is.
  const at = next.getStart(sf);
  return sameLine
    ? { start: at, end: at, newText: `${text}, ` }
    : { start: at, end: at, newText: `${text},\n${indentAt(source, at)}` };
}

/** Sets `name: valueText` on an object literal: replaces the value if the key exists, else appends it. */
export function setProperty(sf: ts.SourceFile, obj: ts.ObjectLiteralExpression, name: string, valueText: string): SourceEdit {
  const p = findProperty(obj, name);
  if (p) return { start: p.initializer.getStart(sf), end: p.initializer.getEnd(), newText: valueText };
  return appendToList(sf, obj.properties, obj, `${name}: ${valueText}`);
}

/** Removes one property of an object literal together with its separating comma. */
export function removeProperty(sf: ts.SourceFile, obj: ts.ObjectLiteralExpression, p: ts.ObjectLiteralElementLike): SourceEdit {
  const props = obj.properties;
  const i = props.indexOf(p);
  if (props.length === 1) return { start: obj.getStart(sf), end: obj.getEnd(), newText: '{}' };
  if (i < props.length - 1) return { start: p.getStart(sf), end: props[i + 1].getStart(sf), newText: '' };
  return { start: props[i - 1].getEnd(), end: p.getEnd(), newText: '' };
}

/** The statement (direct child of a block or the file) that contains `node`. */
export function enclosingStatement(node: ts.Node): ts.Statement | undefined {
  let n: ts.Node | undefined = node;
  while (n && !(n.parent && (ts.isBlock(n.parent) || ts.isSourceFile(n.parent) || ts.isModuleBlock(n.parent)))) n = n.parent;
  return n as ts.Statement | undefined;
}

/** Inserts a whole statement on its own line before `stmt`, with `stmt`'s indentation. */
export function insertStatementBefore(sf: ts.SourceFile, stmt: ts.Statement, text: string): SourceEdit {
  const at = stmt.getStart(sf);
  return { start: at, end: at, newText: `${text}\n${indentAt(sf.text, at)}` };
}

/** Inserts a whole statement on its own line after `stmt`, with `stmt`'s indentation. */
export function insertStatementAfter(sf: ts.SourceFile, stmt: ts.Statement, text: string): SourceEdit {
  const at = stmt.getEnd();
  return { start: at, end: at, newText: `\n${indentAt(sf.text, stmt.getStart(sf))}${text}` };
}

/** Resolves an identifier to the initializer of a `const`/`let`/`var` of that name declared in this cell. */
export function resolveLocal(sf: ts.SourceFile, expr: ts.Expression): ts.Expression {
  if (!ts.isIdentifier(expr)) return expr;
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === expr.text && n.initializer) {
      found = n.initializer;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found ?? expr;
}

/** The 0-based line of an offset. */
export function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line;
}

/** The local name of `import * as X from '<module>'` in the cell, if any. */
export function namespaceImport(sf: ts.SourceFile, modules: readonly string[]): string | undefined {
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    if (!modules.includes(s.moduleSpecifier.text)) continue;
    const nb = s.importClause?.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) return nb.name.text;
  }
  return undefined;
}

/** Modules whose namespace import is the tfjs `tf` object. */
export const TFJS_MODULES = ['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/**
 * The name under which the cell reaches the gradscope library, adding `import * as gs from
 * 'gradscope'` (after the cell's last import, or at the top) when the cell has none.
 */
export function ensureGsImport(sf: ts.SourceFile): { name: string; edit?: SourceEdit } {
  const name = namespaceImport(sf, ['gradscope']);
  if (name) return { name };
  const line = `import * as gs from ${quoted(sf, 'gradscope')};`;
  const imports = sf.statements.filter(ts.isImportDeclaration);
  if (imports.length) {
    const last = imports[imports.length - 1];
    return { name: 'gs', edit: { start: last.getEnd(), end: last.getEnd(), newText: `\n${line}` } };
  }
  return { name: 'gs', edit: { start: 0, end: 0, newText: `${line}\n` } };
}
