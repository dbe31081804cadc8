/**
 * What a user sees in the browser workbench: open a .tfnb from the explorer's Quick Open, Run All with
 * the Gradscope kernel, and read the outputs where VS Code renders them (webview iframes). Saves a
 * screenshot to .test-cache/artifacts/e2e/ui-smoke.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  closePage, openNotebook, pickKernelIfAsked, runAll, runCommand, screenshot, startUiSession, waitForOutputText, type UiSession,
} from './harness/workbench';

/**
 * Runs a palette command, retrying while the palette does not list it yet: the palette lists the
 * extensions' commands it knows when it opens, and a fresh workbench registers the development
 * extension a little later.
 */
async function runCommandWhenListed(page: Page, label: string, attempts = 8): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await runCommand(page, label);
    } catch (e) {
      if (i >= attempts) throw e;
      await page.keyboard.press('Escape');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Waits until the active tab is the untitled notebook `name` and the editor shows its imports cell first. */
async function waitForStarter(page: Page, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const active = await page.locator('.tabs-container .tab.active .label-name').allInnerTexts();
    const texts = await page.locator('.notebook-editor:visible .cell-list-container .monaco-list-row .view-lines')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' ')));
    if (active.includes(name) && texts[0]?.includes("import * as tf from '@tensorflow/tfjs';") && texts[0].includes("import * as gs from 'gradscope';")) return;
    if (Date.now() > deadline) throw new Error(`${name} is not shown with the imports cell (active tab: ${active.join(', ')}; cells: ${texts.join(' | ')})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

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

  test('"New Gradscope Notebook" (palette and File > New File…) opens an untitled notebook with the imports cell', { timeout: 120_000 }, async () => {
    const page = await ui!.open();
    try {
      await runCommandWhenListed(page, 'Gradscope: New Gradscope Notebook');
      await waitForStarter(page, 'Untitled-1.tfnb');
      await screenshot(page, 'new-notebook-palette');
      // File > New File… (the application menu) lists it by its short title.
      await page.locator('.menubar .menubar-menu-button').first().click();
      await page.locator('.monaco-menu .action-item', { hasText: /^File$/ }).first().hover();
      const item = page.getByRole('menuitem', { name: /^New File\.\.\./ }).first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      await item.hover();
      await page.keyboard.press('Enter');
      const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Gradscope Notebook' }).first();
      await entry.waitFor({ state: 'visible', timeout: 10_000 });
      await entry.click();
      await waitForStarter(page, 'Untitled-2.tfnb');
      await screenshot(page, 'new-notebook-file-menu');
    } catch (e) {
      await screenshot(page, 'new-notebook-failure');
      throw e;
    } finally {
      await closePage(page);
    }
  });
});
