/**
 * What a user sees in the browser workbench: open a .tfnb from the explorer's Quick Open, Run All with
 * the Gradscope kernel, and read the outputs where VS Code renders them (webview iframes). Saves a
 * screenshot to .test-cache/artifacts/e2e/ui-smoke.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from './harness/buildSuite';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { makeWorkspace } from './harness/fixtures';
import {
  closePage, launchBrowser, openNotebook, openWorkbench, pickKernelIfAsked, runAll, screenshot, waitForOutputText,
} from './harness/workbench';

describe('Gradscope in the browser workbench', () => {
  let browser: Browser | undefined;
  let server: CodeServer | undefined;
  let page: Page | undefined;
  let ws = '';
  before(async () => {
    ws = makeWorkspace(['smoke.tfnb']);
    server = await startCodeServer();
    browser = await launchBrowser();
  });
  after(async () => {
    if (page) await closePage(page);
    await browser?.close();
    await server?.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  test('Run All shows each cell\'s output and the mapped error', { timeout: 300_000 }, async () => {
    page = await openWorkbench(browser!, server!, ws, REPO_ROOT);
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
