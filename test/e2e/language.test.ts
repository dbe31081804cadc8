/**
 * The notebook language service in a real VS Code (code-server 1.100.3 + Debian's Chromium): the
 * extension-host suite test/e2e/suite/language.e2e.ts checks completions, hovers and squiggles across
 * cells on copies of the samples, before any cell runs, and on an .ipynb of Gradscope's kernel (with VS
 * Code's own TypeScript kept out of its cells).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { sampleFiles } from './harness/samples';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

describe('TypeScript across cells in a real VS Code', () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('completions, hovers and type errors across cells (extension-host language suite)', { timeout: 420_000 }, async () => {
    const passed = await runSuiteInCodeServer(browser!, { suites: ['language'], fixtures: [...sampleFiles(), 'language-gradscope.ipynb', 'language-other.ipynb'], timeoutMs: 360_000 });
    assert.ok(passed.some((t) => /zero Problems on every sample/.test(t)), `the samples test did not run: ${passed.join(', ')}`);
  });
});
