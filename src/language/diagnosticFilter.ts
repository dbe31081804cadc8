/**
 * Which TypeScript diagnostics of a cell the kernel makes moot. The kernel runs every cell as a
 * script in one global scope (src/kernel/compileRewrite.ts): top-level `await` is allowed, and a
 * top-level name may be declared again by another cell (or by Node's globals), since `let`, `const`
 * and classes become globals that a later declaration replaces. A name declared twice in the same
 * cell stays an error: the kernel's compiler rejects that too. A name that cells declare with
 * different types is typed by one of them; diagnostics of statements that use it are left out.
 */
import type * as ts from 'typescript';

/** Top-level `await` and `for await` in a script file: the kernel wraps such a cell in an async function. */
const TOP_LEVEL_AWAIT = new Set([1375, 1378, 1431, 1432]);

/**
 * Redeclarations: Cannot redeclare block-scoped variable (2451), Duplicate identifier (2300),
 * Duplicate function implementation (2393), Subsequent variable declarations must have the same
 * type (2403), Import declaration conflicts with local declaration (2440), Enum declarations can
 * only merge with namespace or other enum declarations (2567), Definitions of the following
 * identifiers conflict with those in another file (6200).
 */
const REDECLARATION = new Set([2451, 2300, 2393, 2403, 2440, 2567, 6200]);

/** The name nodes of what a cell declares at its top level, by name. */
export function topLevelDeclarations(ts: typeof import('typescript'), sf: ts.SourceFile): Map<string, ts.Identifier[]> {
  const names = new Map<string, ts.Identifier[]>();
  const add = (n: ts.Identifier) => {
    const list = names.get(n.text);
    if (list) list.push(n);
    else names.set(n.text, [n]);
  };
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) add(name);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) {
      // Overloads are one name.
      if (ts.isFunctionDeclaration(s) && !s.body) continue;
      add(s.name);
    } else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name) add(c.name);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) add(b.name);
      else if (b) for (const e of b.elements) add(e.name);
    } else if (ts.isImportEqualsDeclaration(s)) add(s.name);
  }
  return names;
}

/** Names a cell declares at its top level, each with how many times. */
export function topLevelNames(ts: typeof import('typescript'), sf: ts.SourceFile): Map<string, number> {
  return new Map([...topLevelDeclarations(ts, sf)].map(([name, nodes]) => [name, nodes.length]));
}

/**
 * Names that several cells declare with different types. TypeScript types every use of such a name
 * by one declaration (the first cell's), while the kernel uses whichever ran last: a diagnostic of a
 * statement that uses one cannot be trusted either way.
 */
export function namesRedeclaredWithOtherTypes(ts: typeof import('typescript'), checker: ts.TypeChecker, cells: ts.SourceFile[]): Set<string> {
  const byName = new Map<string, ts.Identifier[]>();
  for (const sf of cells) {
    for (const [name, nodes] of topLevelDeclarations(ts, sf)) byName.set(name, (byName.get(name) ?? []).concat(nodes[0]));
  }
  const out = new Set<string>();
  for (const [name, nodes] of byName) {
    if (nodes.length < 2) continue;
    const types = new Set(nodes.map((n) => checker.typeToString(checker.getTypeAtLocation(n))));
    if (types.size > 1) out.add(name);
  }
  return out;
}

/** True when the top-level statement of `sf` around `offset` mentions one of `names`. */
export function statementUses(ts: typeof import('typescript'), sf: ts.SourceFile, offset: number, names: Set<string>): boolean {
  if (names.size === 0) return false;
  const statement = sf.statements.find((s) => s.getStart(sf) <= offset && offset <= s.end);
  if (!statement) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && names.has(n.text)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(statement);
  return found;
}

/**
 * True when the kernel makes `d`, a diagnostic of cell `sf`, moot: top-level await, or a redeclaration
 * of a name this cell declares only once (so the other declaration is in another cell or in a library).
 */
export function isMoot(ts: typeof import('typescript'), d: ts.Diagnostic, sf: ts.SourceFile, names: () => Map<string, number>): boolean {
  if (TOP_LEVEL_AWAIT.has(d.code)) return true;
  if (!REDECLARATION.has(d.code) || d.start === undefined || d.length === undefined) return false;
  const name = sf.text.slice(d.start, d.start + d.length);
  const count = names().get(name);
  return count === 1;
}
