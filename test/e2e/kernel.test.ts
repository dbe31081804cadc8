/**
 * The kernel and the fixes in a real VS Code, driven from the extension host: restart and interrupt
 * from their commands, a kernel that exits, error squiggles (suite/kernel.e2e.ts), the dead-ReLU
 * lens → edit → re-run loop (suite/fixes.e2e.ts). Workspace trust is tested in the UI
 * (trust.test.ts): VS Code refuses to show its trust dialog in an extension-test window.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { SAMPLES_DIR } from './harness/samples';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

describe('the Gradscope kernel and fixes in a real VS Code', () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('restart, interrupt, crash, squiggles, and the dead-ReLU fixes (extension-host suites)', { timeout: 600_000 }, async () => {
    const passed = await runSuiteInCodeServer(browser!, {
      suites: ['kernel', 'fixes'], fixtures: ['kernel.tfnb', 'dead-relu.tfnb', join(SAMPLES_DIR, '01-vanishing-gradients.tfnb')], timeoutMs: 540_000,
    });
    assert.ok(passed.some((t) => /process\.exit/.test(t)), `the kernel suite did not run: ${passed.join(', ')}`);
    assert.ok(passed.some((t) => /SELU/.test(t)), `the fixes suite did not run: ${passed.join(', ')}`);
  });
});
