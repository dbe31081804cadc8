// Builds every bundle of the extension with esbuild's API (`npm run build` runs this, then the
// typecheck). Each bundle is one runtime of the README's layer order:
//   dist/extension.js  the extension host's wiring (notebook, controller); activation loads only this
//   dist/fixes.js      code lenses and quick fixes with the TypeScript compiler, loaded on the first findings report
//   dist/kernel.js     the kernel process; it loads dist/gradscope.js at run time for the engine code
//   dist/gradscope.js  the library cells import (engine, training, diagnostics)
//   dist/cli.js        the command line
//   dist/renderer.js   the gradient-health panel (browser, ES module)
//   dist/languageWorker.js  entry of the worker thread of the extension host that runs the notebook TypeScript
//                      service: loads dist/languageServer.js (the service and its compiler) through V8's code cache
//   dist/typescriptPlugin.js  keeps VS Code's own TypeScript out of the .ipynb cells the language service serves
//   dist/types/        declarations the language service reads (gradscope's, tfjs's, Node's; .build/types.mjs)
//   dist/language/     grammar and configuration of the cells' language id (gradscope-typescript)
// Flags: --production minifies (names kept: tfjs serializes layers by class name), --watch rebuilds
// on change until Ctrl-C. The sizes of the bundles are printed after each build.
// dist/CHANGELOG.md is written from the README's Changelog section (its one source), for the
// vsix's changelog page (`vsce package --changelog-path dist/CHANGELOG.md`).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildTypes, writeCellLanguage } from './types.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--production' && a !== '--watch');
if (unknown.length) {
  console.error(`build: unknown option ${unknown.join(', ')} (use --production, --watch)`);
  process.exit(2);
}
const production = args.includes('--production');
const watch = args.includes('--watch');

/** The extension's own bundle must stay small: VS Code loads it whenever a notebook opens. */
const EXTENSION_LIMIT = 1024 * 1024;

const node = { platform: 'node', format: 'cjs', target: 'node20' };
const ENGINE = ['@tensorflow/*'];

/** One entry per bundle: [name, esbuild options]. */
export const BUNDLES = [
  ['extension', { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }],
  ['fixes', { ...node, entryPoints: ['src/fixes/feature.ts'], outfile: 'dist/fixes.js', external: ['vscode'] }],
  ['kernel', { ...node, entryPoints: ['src/kernel/main.ts'], outfile: 'dist/kernel.js', external: [...ENGINE, 'esbuild'] }],
  ['library', { ...node, entryPoints: ['src/library/index.ts'], outfile: 'dist/gradscope.js', external: ENGINE }],
  ['cli', {
    // zeromq: an optional dependency that only `gradscope kernel` (the Jupyter kernel) loads.
    ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', external: [...ENGINE, 'esbuild', 'zeromq'],
    banner: { js: '#!/usr/bin/env node' },
  }],
  ['languageServer', { ...node, entryPoints: ['src/language/worker.ts'], outfile: 'dist/languageServer.js' }],
  ['languageWorker', { ...node, entryPoints: ['src/language/workerLoader.ts'], outfile: 'dist/languageWorker.js' }],
  // tsserver loads a plugin by package name and wants the module to be the plugin's init function.
  ['typescriptPlugin', { ...node, entryPoints: ['src/language/typescriptPlugin.ts'], outfile: 'dist/typescriptPlugin.js', footer: { js: 'module.exports = module.exports.init;' } }],
  ['renderer', { platform: 'browser', format: 'esm', target: 'es2022', entryPoints: ['renderers/index.ts'], outfile: 'dist/renderer.js' }],
];

function kib(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Prints each bundle's size; false when dist/extension.js is over its limit. */
function report() {
  let ok = true;
  const rows = BUNDLES.map(([name, o]) => {
    const size = statSync(path.join(root, o.outfile)).size;
    if (name === 'extension' && size > EXTENSION_LIMIT) ok = false;
    return `  ${o.outfile.padEnd(20)} ${kib(size).padStart(10)}`;
  });
  console.log(`bundles${production ? ' (production)' : ''}:\n${rows.join('\n')}`);
  if (!ok) console.error(`build: dist/extension.js is over ${kib(EXTENSION_LIMIT)}; keep heavy modules (the TypeScript compiler) in dist/fixes.js`);
  return ok;
}

/** The README's Changelog section as a changelog file: its headings one level up, the title `# Changelog`. */
export function changelogFromReadme(readme) {
  const m = /^## Changelog\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme);
  if (!m) throw new Error('README.md has no "## Changelog" section');
  return `# Changelog\n${m[1].replace(/^#(#+) /gm, '$1 ').trimEnd()}\n`;
}

function writeChangelog() {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeFileSync(path.join(root, 'dist', 'CHANGELOG.md'), changelogFromReadme(readFileSync(path.join(root, 'README.md'), 'utf8')));
}

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: true,
  minify: production,
  keepNames: production,
  logLevel: 'warning',
};

try {
  writeChangelog();
} catch (e) {
  console.error(`build: ${e.message}`);
  process.exit(1);
}

/** Builds dist/types; false (with the compiler's messages printed) when the library's declarations fail. */
function types() {
  try {
    writeCellLanguage(root);
    const built = buildTypes(root);
    if (built.length) console.log(`types: ${built.join(', ')}`);
    return true;
  } catch (e) {
    console.error(`build: ${e.message}`);
    return false;
  }
}

if (watch) {
  const reporter = {
    name: 'report',
    setup(b) {
      b.onEnd((r) => {
        if (r.errors.length === 0) report();
      });
    },
  };
  const contexts = await Promise.all(BUNDLES.map(([, o]) => esbuild.context({ ...common, ...o, plugins: [reporter] })));
  await Promise.all(contexts.map((c) => c.watch()));
  types();
  console.log('build: watching src/ and renderers/ (Ctrl-C to stop)');
} else {
  const started = performance.now();
  try {
    await Promise.all(BUNDLES.map(([, o]) => esbuild.build({ ...common, ...o })));
  } catch {
    process.exit(1); // esbuild has printed the errors
  }
  const ok = report() && types();
  console.log(`build: ${BUNDLES.length} bundles in ${Math.round(performance.now() - started)} ms`);
  if (!ok) process.exit(1);
}
