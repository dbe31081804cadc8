// The TypeScript server plugin that keeps VS Code's own TypeScript out of the .ipynb cells the
// notebook service serves: on a real TypeScript language service, a listed notebook's cells get no
// diagnostics, completions, hovers or rename from it; other notebooks' cells and plain files keep
// them; the list is replaced on each configuration. Also the bundle tsserver loads (needs the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { cellNotebookPath, init, PLUGIN_NAME } from '../../../src/language/typescriptPlugin';

const root = path.resolve(__dirname, '../../..');
const served = '^/vscode-notebook-cell/ts-nul-authority/work/train.ipynb#W0sZmlsZQ%3D%3D';
const other = '^/vscode-notebook-cell/ts-nul-authority/work/other.ipynb#W0sZmlsZQ%3D%3D';
const plain = '/work/util.ts';
const TEXT = 'export {};\nconst s: string =   5;\ns.toUpperCase();\n';

function languageService(): ts.LanguageService {
  const files = new Map([[served, TEXT], [other, TEXT], [plain, TEXT]]);
  const host: ts.LanguageServiceHost = {
    // As tsserver's inferred projects: cell file names have no .ts extension.
    getCompilationSettings: () => ({ strict: true, allowNonTsExtensions: true, lib: ['lib.es5.d.ts'] }),
    getScriptKind: () => ts.ScriptKind.TS,
    getScriptFileNames: () => [...files.keys()],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      const text = files.get(f) ?? ts.sys.readFile(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => '/work',
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => files.has(f) || ts.sys.fileExists(f),
    readFile: (f) => files.get(f) ?? ts.sys.readFile(f),
  };
  return ts.createLanguageService(host);
}

function plugged() {
  const plugin = init({ typescript: ts });
  const ls = plugin.create({ languageService: languageService() } as unknown as ts.server.PluginCreateInfo);
  return { plugin, ls };
}

const errors = (ls: ts.LanguageService, f: string) => ls.getSemanticDiagnostics(f).map((d) => d.code);

test('cellNotebookPath reads the notebook of a cell file name; other files have none', () => {
  assert.equal(cellNotebookPath(served), '/work/train.ipynb');
  assert.equal(cellNotebookPath('^/vscode-notebook-cell/ts-nul-authority/c:/w/a b.ipynb'), '/c:/w/a b.ipynb');
  assert.equal(cellNotebookPath(plain), undefined);
  assert.equal(cellNotebookPath('^/untitled/ts-nul-authority/Untitled-1'), undefined);
});

test('unconfigured, the built-in service answers everywhere as before', () => {
  const { ls } = plugged();
  for (const f of [served, other, plain]) assert.deepEqual(errors(ls, f), [2322], f);
});

test("a listed notebook's cells get nothing from the built-in service; other cells and files keep it", () => {
  const { plugin, ls } = plugged();
  plugin.onConfigurationChanged!({ notebooks: ['/work/train.ipynb'] });
  const at = TEXT.indexOf('s.toUpper');
  assert.deepEqual(errors(ls, served), []);
  assert.deepEqual(ls.getSyntacticDiagnostics(served), []);
  assert.deepEqual(ls.getSuggestionDiagnostics(served), []);
  assert.equal(ls.getQuickInfoAtPosition(served, at), undefined);
  assert.equal(ls.getCompletionsAtPosition(served, at + 2, undefined), undefined);
  assert.equal(ls.getDefinitionAndBoundSpan(served, at), undefined);
  assert.equal(ls.getReferencesAtPosition(served, at), undefined);
  assert.equal(ls.getRenameInfo(served, at, {}).canRename, false);
  for (const f of [other, plain]) {
    assert.deepEqual(errors(ls, f), [2322], f);
    assert.match(ts.displayPartsToString(ls.getQuickInfoAtPosition(f, at)?.displayParts), /^const s: string$/);
    assert.ok(ls.getCompletionsAtPosition(f, at + 2, undefined)?.entries.some((e) => e.name === 'toUpperCase'));
  }
  // Syntax-only features stay in the muted cells.
  assert.ok(ls.getFormattingEditsForDocument(served, ts.getDefaultFormatCodeSettings()).length > 0, 'formats `s.toUpperCase();`-style code as before');
});

test('each configuration replaces the list; a bad one mutes nothing', () => {
  const { plugin, ls } = plugged();
  plugin.onConfigurationChanged!({ notebooks: ['/work/train.ipynb'] });
  plugin.onConfigurationChanged!({ notebooks: ['/work/other.ipynb'] });
  assert.deepEqual(errors(ls, served), [2322]);
  assert.deepEqual(errors(ls, other), []);
  plugin.onConfigurationChanged!({ notebooks: 'nope' } as never);
  assert.deepEqual(errors(ls, other), [2322]);
});

test('the built bundle is what tsserver loads: the package by its name, exporting the init function', () => {
  const pkgDir = path.join(root, 'node_modules', PLUGIN_NAME);
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.deepEqual((manifest.contributes.typescriptServerPlugins as { name: string }[]).map((p) => p.name), [PLUGIN_NAME]);
  assert.equal(manifest.dependencies[PLUGIN_NAME], 'file:.build/typescript-plugin', 'a dependency, so that it is linked into node_modules and packaged');
  assert.ok(fs.existsSync(path.join(pkgDir, 'package.json')), `${pkgDir} is missing: run \`npm install\``);
  assert.ok(fs.existsSync(path.join(root, 'dist', 'typescriptPlugin.js')), 'dist/typescriptPlugin.js is missing: run `node .build/build.mjs`');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(path.join(pkgDir, JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).main)) as typeof init;
  assert.equal(typeof factory, 'function');
  const plugin = factory({ typescript: ts });
  const ls = plugin.create({ languageService: languageService() } as unknown as ts.server.PluginCreateInfo);
  plugin.onConfigurationChanged!({ notebooks: ['/work/train.ipynb'] });
  assert.deepEqual(errors(ls, served), []);
  assert.deepEqual(errors(ls, plain), [2322]);
});
