/**
 * Interrupts in a real VS Code (code-server + Chromium): the extension-host suite
 * test/e2e/suite/interrupt.e2e.ts interrupts a tf.tidy loop, a big model.predict, a slow training
 * step and an async loop through the Gradscope: Interrupt Kernel command, and checks that the next
 * cells find TensorFlow.js, the kernel and its variables as they were.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { runSuiteInCodeServer } from './harness/suiteRun';
import { launchBrowser } from './harness/workbench';

describe('interrupts in a real VS Code', () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('tfjs work, a slow training step and an async loop, interrupted from the command (extension-host interrupt suite)', { timeout: 600_000 }, async () => {
    const passed = await runSuiteInCodeServer(browser!, { suites: ['interrupt'], fixtures: ['interrupt.tfnb'], timeoutMs: 540_000 });
    assert.ok(passed.some((t) => /async loop/.test(t)), `the interrupt suite did not run: ${passed.join(', ')}`);
    assert.equal(passed.length, 4, `passed: ${passed.join(', ')}`);
  });
});
