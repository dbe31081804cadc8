/**
 * What a user sees in the browser workbench: open a .tfnb from the explorer's Quick Open, Run All with
 * the Gradscope kernel, and read the outputs where VS Code renders them (webview iframes). Saves a
 * screenshot to .test-cache/artifacts/e2e/ui-smoke.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, waitForOutputText, type UiSession,
} from './harness/workbench';

describe('Gradscope in the browser workbench', () => {
  let ui: UiSession | undefined;
  before(async () => {
    ui = await startUiSession(['smoke.tfnb']);
  });
  after(() => ui?.stop());

  test('Run All shows each cell\'s output and the mapped error', { timeout: 300_000 }, async () => {
    const page = await ui!.open();
    try {
      await openNotebook(page, 'smoke.tfnb');
      await runAll(page);
      await pickKernelIfAsked(page, 'Gradscope');
      await waitForOutputText(page, 'hello from cell 1, after 3 awaits');
      const errorFrame = await waitForOutputText(page, /Cell 3, line 3\b/);
      const text = await errorFrame.evaluate(() => document.body.innerText);
      assert.match(text, /learning rate must be positive, got -0\.1/);
    } finally {
      await screenshot(page, 'ui-smoke');
    }
  });
});
