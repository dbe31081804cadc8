/**
 * Which TypeScript diagnostics of a cell the kernel makes moot. The kernel runs every cell as a
 * script in one global scope (src/kernel/compileRewrite.ts): top-level `await` is allowed, and a
 * top-level name may be declared again by another cell (or by Node's globals), since `let`, `const`
 * and classes become globals that a later declaration replaces. A name declared twice in the same
 * cell stays an error: the kernel's compiler rejects that too.
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

/** Names a cell declares at its top level, each with how many times. */
export function topLevelNames(ts: typeof import('typescript'), sf: ts.SourceFile): Map<string, number> {
  const names = new Map<string, number>();
  const add = (n: string) => names.set(n, (names.get(n) ?? 0) + 1);
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) {
      // Overloads are one name.
      if (ts.isFunctionDeclaration(s) && !s.body) continue;
      add(s.name.text);
    } else if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      if (c.name) add(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) add(b.name.text);
      else if (b) for (const e of b.elements) add(e.name.text);
    } else if (ts.isImportEqualsDeclaration(s)) add(s.name.text);
  }
  return names;
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
