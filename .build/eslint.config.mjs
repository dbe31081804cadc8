// ESLint flat config (`npm run lint`, part of `npm test`). Its main job is the layer order of the
// README's Layout section: a layer imports only from the layers before it, renderers see only
// src/protocol, and nothing below the host imports `vscode`. The order is the LAYERS list below;
// each layer's zone forbids every folder of a later layer (and the renderers). Imports must resolve
// (import-x/no-unresolved) because an import the resolver cannot follow is one the zones cannot see.
// Cycles between modules fail too (gradscope/no-import-cycle), type-only ones included.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import gradscope from './eslint/noImportCycle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The layer order, lowest first: each entry's paths may import only from entries before it. */
export const LAYERS = [
  { name: 'protocol', paths: ['src/protocol'] },
  { name: 'engine', paths: ['src/engine'] },
  { name: 'training', paths: ['src/training'] },
  { name: 'diagnostics', paths: ['src/diagnostics'] },
  { name: 'library', paths: ['src/library'] },
  { name: 'kernel', paths: ['src/kernel', 'src/jupyter'] },
  { name: 'host', paths: ['src/notebook', 'src/fixes', 'src/language', 'src/cli.ts'] },
  { name: 'extension', paths: ['src/extension.ts'] },
];
const RENDERERS = 'renderers';

/** Layers allowed to import `vscode`: the host adapters and the extension's wiring. */
const VSCODE_LAYERS = new Set(['host', 'extension']);

const zones = [];
LAYERS.forEach((layer, i) => {
  const later = LAYERS.slice(i + 1);
  for (const target of layer.paths) {
    for (const above of later) {
      zones.push({
        target,
        from: above.paths,
        message: `the ${layer.name} layer must not import the ${above.name} layer (README, Layout: a layer imports only from layers before it)`,
      });
    }
    zones.push({ target, from: [RENDERERS], message: `the ${layer.name} layer must not import the renderers (browser code)` });
  }
});
zones.push({
  target: RENDERERS,
  from: ['src'],
  except: ['./protocol'],
  message: 'renderers see only src/protocol (README, Layout)',
});

const belowHost = LAYERS.filter((l) => !VSCODE_LAYERS.has(l.name)).flatMap((l) => l.paths);
const tsFiles = (dir) => (dir.endsWith('.ts') ? [dir] : [`${dir}/**/*.ts`]);

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.test-cache/**', '**/fixtures/**', 'samples/**', 'test/unit/samples/sources/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX, gradscope },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.mjs', '.js', '.json', '.node'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones }],
      'import-x/no-unresolved': ['error', { ignore: ['^vscode$', '^vscode-notebook-renderer$'] }],
      'gradscope/no-import-cycle': 'error',
      // The two rules the sources' own disable comments name, so those comments mean something.
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests and benchmarks reach into private shapes on purpose.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Loads the engine the user chose (a path found at run time) into the kernel process.
    files: ['src/kernel/backendChoice.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: belowHost.flatMap(tsFiles).concat(`${RENDERERS}/**/*.ts`),
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'only the host (notebook, fixes, language, cli) and src/extension.ts import vscode' }],
      }],
    },
  },
  {
    // The notebook language service's core runs in a worker thread and in the command line: only its
    // VS Code adapter (feature.ts) imports vscode, and only the core (not the adapter) loads TypeScript.
    files: ['src/language/**/*.ts'],
    ignores: ['src/language/feature.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'the language service core (src/language, but feature.ts) runs without VS Code: in the worker and the CLI' }],
      }],
    },
  },
  {
    files: ['src/language/feature.ts', 'src/language/client.ts', 'src/language/languageId.ts', 'src/language/messages.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'typescript', message: 'the extension host side of the language service must not load the TypeScript compiler (it runs in dist/languageWorker.js)', allowTypeImports: true }],
        patterns: [{ group: ['./service', './worker', './check'], message: 'the extension host side reaches the service through the worker (type imports only)', allowTypeImports: true }],
      }],
    },
  },
);
