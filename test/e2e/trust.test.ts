/**
 * Workspace trust in the browser workbench (issue 2): code-server started with workspace trust on
 * opens a never-trusted folder in restricted mode. Run All makes VS Code ask whether the user trusts
 * the folder before any kernel gets a cell; answered Cancel, no cell runs. Trusting the folder then
 * lets the same Run All run with the Gradscope kernel. (This is a UI test because VS Code refuses to
 * show dialogs in an extension-test window, where the trust question would never be answered.)
 * Screenshots: .test-cache/artifacts/e2e/untrusted-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  allFrames, openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, waitForOutputText, type UiSession,
} from './harness/workbench';

const CELL_2_OUTPUT = 'hello from cell 1, after 3 awaits';

async function anyFrameShows(page: Page, text: string): Promise<boolean> {
  for (const frame of allFrames(page)) {
    if ((await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')).includes(text)) return true;
  }
  return false;
}

describe('Gradscope in an untrusted workspace', () => {
  let ui: UiSession | undefined;
  before(async () => {
    ui = await startUiSession(['smoke.tfnb'], { workspaceTrust: true });
  });
  after(() => ui?.stop());

  test('Run All asks for trust; refused, no cell runs; trusted, the cells run', { timeout: 300_000 }, async () => {
    const page = await ui!.open();
    try {
      await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor({ timeout: 30_000 });
      await openNotebook(page, 'smoke.tfnb');
      await runAll(page);
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      const asked = await dialog.innerText();
      assert.match(asked, /Do you trust the authors of the files in this folder\?/);
      assert.match(asked, /Executing a notebook cell will run code from this workspace/);
      await screenshot(page, 'untrusted-run-asks-for-trust');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      // Nothing may run: give a kernel that would (wrongly) start plenty of time to show output.
      await new Promise((r) => setTimeout(r, 8000));
      assert.equal(await anyFrameShows(page, CELL_2_OUTPUT), false, 'a cell ran although the folder is not trusted');
      await screenshot(page, 'untrusted-refused');

      await runAll(page);
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      await dialog.getByRole('button', { name: /Trust Folder & Continue/ }).click();
      await pickKernelIfAsked(page, 'Gradscope');
      await waitForOutputText(page, CELL_2_OUTPUT, 120_000);
      await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached', timeout: 10_000 });
      await screenshot(page, 'untrusted-then-trusted');
    } catch (e) {
      await screenshot(page, 'untrusted-failure');
      throw e;
    }
  });
});
