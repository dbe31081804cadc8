/**
 * Compiles the extension-host mocha suite (test/e2e/suite) to .test-cache/out/test/e2e/suite with esbuild: the
 * extension host runs JavaScript. `vscode` and `mocha` stay external (the host provides the first;
 * the second resolves from the repository's node_modules). Also writes .test-cache/out/test/e2e/package.json, a
 * do-nothing extension that serves as the development extension when the suite tests an installed vsix.
 *
 * @example
 * const { testsPath, probePath } = await buildSuite();
 */
import { build } from 'esbuild';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (three levels above this file). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** Paths of the compiled suite. */
export interface BuiltSuite {
  /** `extensionTestsPath`: the compiled suite/index.ts. */
  testsPath: string;
  /** A minimal extension folder containing the suite, for runs against an installed vsix. */
  probePath: string;
}

/** Builds the suite (about 0.1 s). */
export async function buildSuite(root = REPO_ROOT): Promise<BuiltSuite> {
  const src = join(root, 'test', 'e2e', 'suite');
  const probePath = join(root, '.test-cache', 'out', 'test', 'e2e');
  const outdir = join(probePath, 'suite');
  const entryPoints = readdirSync(src).filter((f) => f === 'index.ts' || f.endsWith('.e2e.ts')).map((f) => join(src, f));
  await build({
    entryPoints, outdir, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'error',
  });
  mkdirSync(probePath, { recursive: true });
  // The suite's files must lie inside the development extension, or `require('vscode')` in them is
  // served a default API with a warning instead of the extension's own.
  writeFileSync(join(probePath, 'package.json'), JSON.stringify({
    name: 'probe', publisher: 'gradscope-e2e', version: '0.0.0', engines: { vscode: '^1.100.0' },
    description: 'Development extension that hosts the Gradscope e2e suite when the vsix itself is installed.',
  }, null, 2));
  return { testsPath: join(outdir, 'index.js'), probePath };
}
