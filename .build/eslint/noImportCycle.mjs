// ESLint rule gradscope/no-import-cycle: no module may reach itself through relative imports, type-only
// imports and re-exports included (import-x/no-cycle skips type-only imports, and a type-only circle
// still ties two files' meaning together). Reports, at each import that starts a cycle, the cycle's
// files. Import lists come from TypeScript's preprocessor and are cached for the whole lint run.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const deps = new Map();

function resolveRelative(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(m?js)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, path.join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

function importsOf(file, text) {
  if (text === undefined && deps.has(file)) return deps.get(file);
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      source = '';
    }
  }
  const info = ts.preProcessFile(source, true, true);
  const out = [...new Set(info.importedFiles.map((f) => resolveRelative(file, f.fileName)).filter(Boolean))];
  deps.set(file, out);
  return out;
}

/** The shortest path of files from `start` back to `target`, or undefined. */
function pathBack(start, target) {
  const prev = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const f = queue.shift();
    if (f === target) {
      const chain = [];
      for (let at = f; at !== undefined; at = prev.get(at)) chain.unshift(at);
      return chain;
    }
    for (const d of importsOf(f)) {
      if (!prev.has(d)) {
        prev.set(d, f);
        queue.push(d);
      }
    }
  }
  return undefined;
}

export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles, type-only imports included' },
    schema: [],
    messages: { cycle: 'import cycle: {{chain}}' },
  },
  create(context) {
    const file = context.physicalFilename;
    const root = context.cwd;
    importsOf(file, context.sourceCode.text);
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string') return;
      const target = resolveRelative(file, spec);
      if (!target || target === file) return;
      const chain = pathBack(target, file);
      if (chain) {
        const names = [file, ...chain].map((f) => path.relative(root, f));
        context.report({ node, messageId: 'cycle', data: { chain: names.join(' → ') } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
