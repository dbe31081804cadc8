/**
 * Smoke test in a real VS Code (code-server 1.100.3 + Debian's Chromium): the extension-host suite
 * test/e2e/suite/smoke.e2e.ts opens a .tfnb, runs its cells with the Gradscope kernel and checks
 * their outputs. Part of `npm test`, so every change is checked in the real editor.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

describe('Gradscope in a real VS Code', () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('runs a notebook with the Gradscope kernel (extension-host smoke suite)', { timeout: 300_000 }, async () => {
    const passed = await runSuiteInCodeServer(browser!, { suites: ['smoke'], fixtures: ['smoke.tfnb'] });
    assert.ok(passed.some((t) => /mapped error/.test(t)), `the kernel test did not run: ${passed.join(', ')}`);
  });
});
