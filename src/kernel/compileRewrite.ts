/**
 * The second stage of the cell compiler: rewrites the JavaScript that esbuild produced from a cell so
 * that it runs as a script in the kernel's global context, where the top-level names of every cell
 * live on the global object. See {@link rewriteCell}.
 */

import * as acorn from 'acorn';
import MagicString from 'magic-string';

/** A node of acorn's ESTree output; fields are read by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = acorn.Node & Record<string, any>;

/** An error found while rewriting, at an offset of the esbuild output. */
export class RewriteError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'RewriteError';
  }
}

/** What {@link rewriteCell} produced. */
export interface RewriteResult {
  /** The edited JavaScript, with its edits recorded for a source map. */
  magic: MagicString;
  isAsync: boolean;
  hasValue: boolean;
  declared: string[];
}

/** The globals the kernel puts in the context for imports (see CompiledCell). */
const REQUIRE = '__gs_require';
const IMPORT = '__gs_import';
/**
 * Called with the value of every `await` in a cell, and at each turn of a `for await`: it returns the
 * value, or throws when the code resuming belongs to a cell that was interrupted, so an abandoned async
 * loop stops at its next await even when it makes no TensorFlow.js call.
 */
const RESUME = '__gs_resume';
/** esModuleInterop as TypeScript's `__importDefault` and esbuild's `__toESM` do it, plus real ES namespaces. */
const DEFAULT_INTEROP = '((m) => m != null && (m.__esModule || m[Symbol.toStringTag] === "Module") ? m.default : m)';

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** Visits every node below `node` in source order; `enter` returns false to skip a node's children. */
function walk(node: Node, enter: (n: Node, parent: Node | undefined) => boolean | void, parent?: Node): void {
  if (enter(node, parent) === false) return;
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === 'string') walk(child, enter, node);
    } else if (value && typeof value === 'object' && typeof value.type === 'string') {
      walk(value, enter, node);
    }
  }
}

/** True for nodes that start a new function scope (where `var` and `await` stop belonging to the cell). */
function isScopeBoundary(n: Node): boolean {
  return FUNCTION_TYPES.has(n.type) || n.type === 'StaticBlock' || n.type === 'PropertyDefinition';
}

/** Names bound by a binding pattern (`a`, `{ a, b: [c] }`, `...d`, `e = 1`). */
function patternNames(p: Node, out: string[]): void {
  switch (p.type) {
    case 'Identifier': out.push(p.name); break;
    case 'ObjectPattern': for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop : prop.value, out); break;
    case 'ArrayPattern': for (const el of p.elements) if (el) patternNames(el, out); break;
    case 'RestElement': patternNames(p.argument, out); break;
    case 'AssignmentPattern': patternNames(p.left, out); break;
  }
}

/**
 * Rewrites esbuild's output `js` of one cell:
 * - top-level `let`/`const` become `var` (a sync cell) or assignments to names declared with `var`
 *   before an async wrapper (a cell with top-level await), so every cell's names are properties of the
 *   global and can be declared again when the cell runs again;
 * - classes become `var C = class C {…}`; functions stay declarations (hoisted, global), moved in front
 *   of the async wrapper in an async cell;
 * - imports and `require('m')` become `__gs_require` calls, `import()` becomes `__gs_import()`,
 *   `export` is stripped;
 * - `await x` becomes `__gs_resume(await x)` everywhere in the cell (in its functions too), and each
 *   turn of a `for await` loop starts with `__gs_resume()`.
 */
export function rewriteCell(js: string): RewriteResult {
  let program: Node;
  try {
    program = acorn.parse(js, {
      ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, allowHashBang: true,
    }) as Node;
  } catch (e) {
    const err = e as SyntaxError & { pos?: number };
    throw new RewriteError(err.message.replace(/ \(\d+:\d+\)$/, ''), err.pos ?? 0);
  }
  const s = new MagicString(js);
  const body = program.body as Node[];

  // Pass 1: top-level await anywhere outside functions, `import()` and `import.meta` anywhere.
  let isAsync = false;
  const requireCalls: Node[] = [];
  walk(program, (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require'
      && n.arguments.length === 1 && n.arguments[0].type === 'Literal' && typeof n.arguments[0].value === 'string') {
      requireCalls.push(n.callee);
    } else if (n.type === 'ImportExpression') {
      s.overwrite(n.start, n.source.start, `${IMPORT}(`);
    } else if (n.type === 'MetaProperty' && n.meta.name === 'import') {
      throw new RewriteError('import.meta is not available in a notebook cell', n.start);
    } else if (n.type === 'AwaitExpression') {
      s.prependRight(n.start, `${RESUME}(`);
      s.appendLeft(n.end, ')');
    } else if (n.type === 'ForOfStatement' && n.await) {
      if (n.body.type === 'BlockStatement') s.appendLeft(n.body.start + 1, ` ${RESUME}();`);
      else {
        s.prependRight(n.body.start, `{ ${RESUME}(); `);
        s.appendLeft(n.body.end, ' }');
      }
    }
  });
  walk(program, (n) => {
    if (n !== program && isScopeBoundary(n)) return false;
    if (n.type === 'AwaitExpression' || (n.type === 'ForOfStatement' && n.await)) isAsync = true;
  });

  const declared: string[] = [];
  const declare = (name: string) => { if (!declared.includes(name)) declared.push(name); };
  const functionsToHoist: Node[] = [];

  // Top-level statements: unwrap `export`, then rewrite declarations.
  const statements: Node[] = [];
  for (const stmt of body) {
    if (stmt.type === 'ExportNamedDeclaration') {
      if (stmt.source) throw new RewriteError('`export … from` is not supported in a notebook cell; import the names instead', stmt.start);
      if (!stmt.declaration) { s.remove(stmt.start, stmt.end); continue; }
      s.remove(stmt.start, stmt.declaration.start);
      statements.push(stmt.declaration);
    } else if (stmt.type === 'ExportAllDeclaration') {
      throw new RewriteError('`export * from` is not supported in a notebook cell; import the module instead', stmt.start);
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      const decl = stmt.declaration as Node;
      s.remove(stmt.start, decl.start);
      if ((decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') && decl.id) {
        statements.push(decl);
      } else {
        // `export default <expression>` (or an anonymous function/class) shows the value like an expression.
        if (decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') {
          s.prependRight(decl.start, '(');
          s.appendLeft(decl.end, ');');
        }
        statements.push({ type: 'ExpressionStatement', start: decl.start, end: decl.end, expression: decl } as unknown as Node);
      }
    } else {
      statements.push(stmt);
    }
  }

  const assign = isAsync ? '' : 'var ';
  for (const stmt of statements) {
    switch (stmt.type) {
      case 'ImportDeclaration':
        rewriteImport(s, stmt, assign, declare);
        break;
      case 'VariableDeclaration':
        if (isAsync) rewriteDeclarationAsAssignment(s, stmt, declare, 'statement');
        else {
          for (const d of stmt.declarations) { const names: string[] = []; patternNames(d.id, names); names.forEach(declare); }
          if (stmt.kind !== 'var') s.overwrite(stmt.start, stmt.start + stmt.kind.length, 'var');
        }
        break;
      case 'FunctionDeclaration':
        declare(stmt.id.name);
        if (isAsync) functionsToHoist.push(stmt);
        break;
      case 'ClassDeclaration':
        declare(stmt.id.name);
        s.prependRight(stmt.start, `${assign}${stmt.id.name} = `);
        s.appendLeft(stmt.end, ';');
        break;
    }
  }

  // `var` below the top level (in blocks and loop heads, not in functions) belongs to the cell too.
  for (const stmt of statements) {
    if (stmt.type === 'VariableDeclaration' || stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') continue;
    walk(stmt, (n, parent) => {
      if (isScopeBoundary(n)) return false;
      if (n.type === 'VariableDeclaration' && n.kind === 'var') {
        if (!isAsync) { for (const d of n.declarations) { const names: string[] = []; patternNames(d.id, names); names.forEach(declare); } return; }
        const inLoopHead = parent && /^For(In|Of)?Statement$/.test(parent.type) && parent.body !== n;
        rewriteDeclarationAsAssignment(s, n, declare, inLoopHead ? 'loopHead' : 'statement');
        return false;
      }
    });
  }

  // `import fs = require('fs')` (esbuild: `const fs = require("fs")`) and plain `require('m')` resolve
  // like imports; there is no module-scoped `require` in a cell.
  if (!declared.includes('require')) for (const callee of requireCalls) s.overwrite(callee.start, callee.end, REQUIRE);

  const last = statements[statements.length - 1];
  const hasValue = last?.type === 'ExpressionStatement';
  if (isAsync) {
    if (hasValue) {
      s.prependRight(last.expression.start, 'return (');
      s.appendLeft(last.expression.end, ')');
    }
    // Function declarations go in front of the wrapper: hoisted and global, like in a sync cell. Those
    // that already lead the cell stay; the others move right behind them.
    let lead = 0;
    while (lead < statements.length && functionsToHoist.includes(statements[lead])) lead++;
    const wrapAt = lead === 0 ? 0 : statements[lead - 1].end;
    for (const fn of functionsToHoist.slice(lead)) {
      s.appendLeft(fn.end, '\n');
      s.move(fn.start, fn.end, wrapAt);
    }
    const names = declared.filter((n) => !functionsToHoist.some((f) => f.id.name === n));
    if (names.length) s.prepend(`var ${names.join(', ')};\n`);
    if (wrapAt === js.length) s.append('\n(async () => {\n');
    else s.prependRight(wrapAt, wrapAt === 0 ? '(async () => {\n' : '\n(async () => {\n');
    s.append('\n})()');
  }
  return { magic: s, isAsync, hasValue, declared };
}

/** `import …` → `var x = __gs_require('m')` (sync) or `x = __gs_require('m')` (async). */
function rewriteImport(s: MagicString, stmt: Node, assign: string, declare: (n: string) => void): void {
  const spec = JSON.stringify(stmt.source.value);
  const req = `${REQUIRE}(${spec})`;
  const parts: string[] = [];
  const named: string[] = [];
  for (const sp of stmt.specifiers as Node[]) {
    declare(sp.local.name);
    if (sp.type === 'ImportNamespaceSpecifier') parts.push(`${sp.local.name} = ${req}`);
    else if (sp.type === 'ImportDefaultSpecifier') parts.push(`${sp.local.name} = ${DEFAULT_INTEROP}(${req})`);
    else {
      const imported = sp.imported.type === 'Literal' ? JSON.stringify(sp.imported.value) : sp.imported.name;
      named.push(imported === sp.local.name ? imported : `${imported}: ${sp.local.name}`);
    }
  }
  if (named.length) parts.push(assign ? `{ ${named.join(', ')} } = ${req}` : `({ ${named.join(', ')} } = ${req})`);
  const text = parts.length === 0 ? `${req};` : assign ? `${assign}${parts.join(', ')};` : `${parts.join(', ')};`;
  s.overwrite(stmt.start, stmt.end, text);
}

/**
 * `let a = 1, { b } = o;` → `a = 1, ({ b } = o);` in an async cell, where the names are declared with
 * `var` outside the wrapper so each lands on the global as soon as its declaration runs.
 */
function rewriteDeclarationAsAssignment(s: MagicString, decl: Node, declare: (n: string) => void, where: 'statement' | 'loopHead'): void {
  const decls = decl.declarations as Node[];
  for (const d of decls) { const names: string[] = []; patternNames(d.id, names); names.forEach(declare); }
  s.remove(decl.start, decls[0].start);
  for (const d of decls) {
    const isPattern = d.id.type !== 'Identifier';
    if (!d.init) {
      // `let x;` resets x when the cell runs again; `var x;` keeps it, as JavaScript does.
      if (decl.kind !== 'var' && where === 'statement') s.appendLeft(d.id.end, ' = void 0');
      continue;
    }
    if (isPattern && where === 'statement') {
      s.prependRight(d.start, '(');
      s.appendLeft(d.end, ')');
    }
  }
}
