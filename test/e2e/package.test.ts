/**
 * The package a user installs: `vsce package` builds a vsix with what the extension needs at
 * runtime and nothing of the sources or tests; installed into a real VS Code (code-server), it
 * activates and runs the smoke notebook with its own bundled node_modules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT } from './harness/buildSuite';
import { codeServerCli } from './harness/codeServer';
import { packageVsix } from './harness/packageVsix';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}

describe('the Gradscope vsix', () => {
  let browser: Browser | undefined;
  let scratch = '';
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'gradscope-vsix-'));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('installs into VS Code with its runtime files only, activates and runs a notebook', { timeout: 420_000 }, async () => {
    const vsix = packageVsix(join(scratch, 'gradscope.vsix'));
    let files: string[] = [];
    // Read while the profile exists (the run removes it afterwards).
    let installed: { license: string; licenseText: string; changelog: string } | undefined;
    await runSuiteInCodeServer(browser!, {
      suites: ['packaged', 'smoke'],
      fixtures: ['smoke.tfnb'],
      name: 'packaged',
      prepare: (profileDir, probePath) => {
        const r = codeServerCli(profileDir, ['--install-extension', vsix]);
        assert.equal(r.status, 0, `code-server --install-extension failed:\n${r.output}`);
        const extensions = join(profileDir, 'extensions');
        const dir = readdirSync(extensions).find((d) => d.startsWith('gradscope.gradscope-'));
        assert.ok(dir, `no gradscope.gradscope-* in ${readdirSync(extensions)}`);
        const root = join(extensions, dir);
        files = listFiles(root);
        const changelogFile = files.find((f) => f.toLowerCase() === 'changelog.md');
        installed = {
          license: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string }).license,
          licenseText: existsSync(join(root, '.build', 'LICENSE.txt')) ? readFileSync(join(root, '.build', 'LICENSE.txt'), 'utf8') : '',
          changelog: changelogFile ? readFileSync(join(root, changelogFile), 'utf8') : '',
        };
        return probePath;
      },
    });
    // vsce stores README.md and CHANGELOG.md as readme.md and changelog.md.
    const has = (f: string) => files.some((g) => g.toLowerCase() === f.toLowerCase());
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', '.build/LICENSE.txt', 'media/icon.png', 'dist/extension.js', 'dist/kernel.js',
      'dist/cli.js', 'dist/gradscope.js', 'dist/fixes.js', 'dist/renderer.js', 'node_modules/@tensorflow/tfjs/dist/tf.node.js',
      'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      'node_modules/esbuild/lib/main.js', 'dist/languageWorker.js', 'dist/languageServer.js', 'dist/typescriptPlugin.js',
      'node_modules/gradscope-typescript-plugin/package.json', 'dist/types/node_modules/gradscope/library/index.d.ts',
      'dist/types/node_modules/@tensorflow/tfjs/dist/index.d.ts', 'dist/types/lib/lib.es2023.d.ts', 'dist/language/gradscope-typescript.tmLanguage.json']) {
      assert.ok(has(needed), `the vsix lacks ${needed}`);
    }
    // The license the manifest names is the repository's text, and the changelog page is the README's
    // Changelog section (the build writes it), not an empty or stale file.
    assert.ok(installed);
    assert.equal(installed.license, 'SEE LICENSE IN .build/LICENSE.txt');
    assert.equal(installed.licenseText, readFileSync(join(REPO_ROOT, '.build', 'LICENSE.txt'), 'utf8'));
    assert.match(installed.licenseText, /^MIT License\n/);
    assert.match(installed.changelog, /^# Changelog\n/);
    assert.ok(installed.changelog.includes('### Added\n- `.tfnb` notebooks'), `the vsix's changelog is not the README's section:\n${installed.changelog}`);
    // The extension's details page shows the README from the install folder: its images must ship too.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const [, target] of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)) {
      if (!/^[a-z]+:/i.test(target)) assert.ok(has(target.replace(/^\.\//, '')), `README shows ${target}, which is not in the vsix`);
    }
    // .build/ ships only the license text.
    const unwanted = files.filter((f) => /^(src|test|out|\.test-cache|renderers|\.build|\.ci)\//.test(f) && f !== '.build/LICENSE.txt' || f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(unwanted, [], 'sources, tests and source maps stay out of the vsix');
  });
});
