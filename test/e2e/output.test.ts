/**
 * Output floods in a real VS Code (code-server + Chromium): the extension-host suite
 * test/e2e/suite/flood.e2e.ts runs cells printing up to a million lines and one 20 MB line, and
 * checks that each cell's output is bounded and accounts for every line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

describe('console floods in a real VS Code', () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('bounded outputs, every line accounted for, the next cell runs (extension-host flood suite)', { timeout: 900_000 }, async () => {
    const passed = await runSuiteInCodeServer(browser!, { suites: ['flood'], fixtures: ['flood.tfnb'], timeoutMs: 840_000 });
    assert.ok(passed.some((t) => /1000000 lines/.test(t)), `the flood suite did not run: ${passed.join(', ')}`);
  });
});
