/**
 * A fix taken from the editor's Ctrl+. menu counts as an applied fix, as the panel's "Apply" and the
 * code lenses do: in the browser workbench (code-server), on ../fixtures/dead-relu.tfnb, after Run All
 * the model cell shows the dead-relu squiggle; Ctrl+. on it and a "Switch ReLU → …" entry edit the
 * layer; after a re-run the panel offers "Compare with the run before the fix", which draws both runs.
 * Screenshots (on failure): .test-cache/artifacts/e2e/quickfix-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import {
  closePage, openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, type UiSession,
} from './harness/workbench';

/** Finds the first frame where `selector` matches, within `timeoutMs`. */
async function frameWith(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`nothing matched ${selector} within ${timeoutMs / 1000} s`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a quick fix from the Ctrl+. menu in the browser workbench', () => {
  let ui: UiSession | undefined;
  before(async () => {
    ui = await startUiSession(['dead-relu.tfnb']);
  });
  after(() => ui?.stop());

  test('dead-relu.tfnb: after a Ctrl+. fix and a re-run, the panel compares with the run before the fix', { timeout: 420_000 }, async () => {
    const page = await ui!.open({ width: 1400, height: 1800 });
    try {
      await openNotebook(page, 'dead-relu.tfnb', 6);
      await runAll(page);
      await pickKernelIfAsked(page, 'Gradscope');
      let frame = await frameWith(page, '.gs-panel .gs-finding', 240_000);
      const firstRun = await frame.locator('.gs-panel').first().getAttribute('data-run-id');
      await frameWith(page, '.gs-panel .gs-finding-id:text-is("dead-relu")', 30_000);

      // The squiggle on the ReLU layer's line of the model cell; the cursor there, then Ctrl+.
      const line = page.locator('.notebook-editor .cell-list-container .monaco-list-row .view-line', { hasText: "activation: 'relu'" }).first();
      await until('the gradscope squiggle in the model cell', () => page.locator('.notebook-editor .cell-list-container [class*="squiggly-warning"]').count().then((n) => n > 0), 30_000)
        .catch(async (e: Error) => {
          const seen = await page.locator('[class*="squiggly"]').evaluateAll((els) => els.map((el) => el.className));
          throw new Error(`${e.message}; squiggles seen: ${JSON.stringify(seen)}`);
        });
      await line.locator('span', { hasText: 'relu' }).last().click();
      await page.keyboard.press('Control+.');
      await page.locator('.action-widget .monaco-list-row.action').first().waitFor({ state: 'visible', timeout: 15_000 });
      const entries = await page.locator('.action-widget .monaco-list-row.action').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      assert.ok(entries.some((t) => /^Switch relu → /i.test(t)), `the menu offers an activation fix: ${entries.join(' | ')}`);
      // The menu takes the keyboard (a pointer block lies over it): down to an activation fix, then Enter.
      const title = await until('an activation fix focused in the menu', async () => {
        const focused = await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label').catch(() => null);
        if (focused && /^Switch relu → /i.test(focused)) return focused;
        await page.keyboard.press('ArrowDown');
        return undefined;
      }, 10_000);
      await page.keyboard.press('Enter');
      const texts = () => page.locator('.notebook-editor .cell-list-container .monaco-list-row .view-lines').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' ')).join('\n'));
      await until(`the quick fix "${title}" to edit the cell`, async () => !/activation: 'relu'/.test(await texts()), 30_000);

      await runAll(page);
      const button = '.gs-panel .gs-compare-before-fix';
      frame = await frameWith(page, button, 240_000);
      const secondRun = await frame.locator('.gs-panel').first().getAttribute('data-run-id');
      assert.notEqual(secondRun, firstRun, 'the re-run has its own panel');
      await frame.locator(button).first().dispatchEvent('click');
      const heading = frame.locator('.gs-compare-bar .gs-compare-title').first();
      await heading.waitFor({ timeout: 30_000 });
      assert.match(await heading.innerText(), /^This run vs the run before the fix \(/);
      const view = frame.locator('.gs-compare-bar .gs-compare').first();
      assert.deepEqual(await view.locator('.gs-compare-label').allInnerTexts(), ['before the fix (finished)', 'this run (finished)']);
      assert.equal(await view.getAttribute('data-runs'), `${firstRun} ${secondRun}`);
      const activations = await view.locator('.gs-diff-table tbody tr[data-option="activations"] td').allInnerTexts();
      assert.equal(activations[0], 'relu, linear', `the diff shows the activation the quick fix changed: ${activations.join(' | ')}`);
    } catch (e) {
      await screenshot(page, 'quickfix-failure');
      throw e;
    } finally {
      await closePage(page);
    }
  });
});
