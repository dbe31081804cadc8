/**
 * Comparing runs in the browser workbench (code-server): a `gs.compare({ sigmoid, relu, selu })` cell
 * shows one view with a curve per run in the run's colour on the loss and profile charts, the sigmoid
 * run's vanishing-gradient finding under that run only, and the options that differ; then, on the
 * dead-ReLU fixture, "Apply" on the panel's fix, a re-run, and the re-run's "Compare with the run
 * before the fix" draws both runs under the panel with the edited activation highlighted.
 * Screenshots: .test-cache/artifacts/e2e/compare-*.png (compare-view.png is media/compare-runs.png).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { runColor } from '../../src/protocol/runs';
import {
  closePage, openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, type UiSession,
} from './harness/workbench';

/** Finds the first frame where `selector` matches, within `timeoutMs`, scrolling the notebook down meanwhile when asked. */
async function frameWith(page: Page, selector: string, timeoutMs: number, scroll = false): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const n = await frame.locator(selector).count().catch(() => 0);
      if (n > 0) return frame;
    }
    if (scroll) {
      // VS Code renders the outputs of the cells in view: bring the last cells into view.
      await page.locator('.notebook-editor .monaco-list').first().hover().catch(() => {});
      await page.mouse.wheel(0, 1500);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`nothing matched ${selector} within ${timeoutMs / 1000} s`);
}

/** Pixels of each run's colour (within a small distance, for anti-aliasing) on the view's canvas `selector`. */
function colourPixels(frame: Frame, selector: string, colours: string[]): Promise<number[]> {
  return frame.evaluate(([sel, cs]) => {
    const canvas = document.querySelector(sel) as HTMLCanvasElement | null;
    if (!canvas || !canvas.width) return cs.map(() => -1);
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb = cs.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
    const counts = cs.map(() => 0);
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] < 200) continue;
      rgb.forEach(([r, g, b], j) => { if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) counts[j]++; });
    }
    return counts;
  }, [selector, colours] as const);
}

/** The differing options a view shows: option key → [value, highlighted] per run. */
function diffRows(frame: Frame, scope: string): Promise<Record<string, [string, boolean][]>> {
  return frame.locator(`${scope} .gs-diff-table tbody tr`).evaluateAll((trs) => Object.fromEntries(trs.map((tr) => [
    tr.getAttribute('data-option') ?? '',
    [...tr.querySelectorAll('td')].map((td) => [td.textContent ?? '', td.classList.contains('gs-diff')] as [string, boolean]),
  ])));
}

describe('comparing runs in the browser workbench', () => {
  let ui: UiSession | undefined;
  before(async () => {
    ui = await startUiSession(['compare.tfnb', 'dead-relu.tfnb']);
  });
  after(() => ui?.stop());

  test('compare.tfnb: gs.compare shows the three runs\' curves, their profiles, the sigmoid run\'s finding and the differing options', { timeout: 420_000 }, async () => {
    const page = await ui!.open({ width: 1400, height: 1800 });
    try {
      await openNotebook(page, 'compare.tfnb', 6);
      await runAll(page);
      await pickKernelIfAsked(page, 'Gradscope');
      const frame = await frameWith(page, '.gs-compare .gs-compare-profile canvas', 300_000, true);
      const view = frame.locator('.gs-compare').first();
      await view.scrollIntoViewIfNeeded();
      assert.deepEqual(await view.locator('.gs-compare-label').allInnerTexts(), ['sigmoid (finished)', 'relu (finished)', 'selu (finished)']);
      const colours = [0, 1, 2].map(runColor);
      for (const chart of ['loss', 'epochs', 'profile']) {
        const px = await colourPixels(frame, `.gs-compare .gs-compare-${chart} canvas`, colours);
        console.log(`${chart} chart: pixels per run colour ${JSON.stringify(px)}`);
        for (const [i, n] of px.entries()) assert.ok(n > 100, `${chart} chart: run ${i + 1}'s colour covers ${n} pixels`);
      }
      const findings = await view.locator('.gs-compare-run').evaluateAll((els) => els.map((e) => [...e.querySelectorAll('.gs-finding')].map((f) => f.getAttribute('data-code'))));
      assert.ok(findings[0].includes('vanishing-gradient'), `the sigmoid run lists vanishing-gradient: ${JSON.stringify(findings)}`);
      assert.ok(!findings[1].includes('vanishing-gradient') && !findings[2].includes('vanishing-gradient'), `only the sigmoid run lists vanishing-gradient: ${JSON.stringify(findings)}`);
      const rows = await diffRows(frame, '.gs-compare');
      assert.deepEqual(Object.keys(rows), ['activations', 'initializers']);
      assert.deepEqual(rows.activations, [['sigmoid ×9', false], ['relu ×8, sigmoid', true], ['selu ×8, sigmoid', true]]);
      // Reveal the last cell (the comparison) with the notebook's own Ctrl+End, then capture the window.
      await page.locator('.notebook-editor .cell-list-container').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+End');
      await new Promise((r) => setTimeout(r, 2500));
      await screenshot(page, 'compare-view');
    } catch (e) {
      await screenshot(page, 'compare-failure');
      throw e;
    } finally {
      await closePage(page);
    }
  });

  test('dead-relu.tfnb: after Apply and a re-run, the panel compares with the run before the fix', { timeout: 420_000 }, async () => {
    const page = await ui!.open({ width: 1400, height: 1800 });
    try {
      await openNotebook(page, 'dead-relu.tfnb', 6);
      await runAll(page);
      await pickKernelIfAsked(page, 'Gradscope');
      let frame = await frameWith(page, '.gs-panel .gs-finding', 240_000);
      const firstRun = await frame.locator('.gs-panel').first().getAttribute('data-run-id');
      // The dead-relu finding's activation fix (the finding may come with others, e.g. a plateau).
      const deadRelu = frame.locator('.gs-panel .gs-finding', { has: frame.locator('.gs-finding-id', { hasText: 'dead-relu' }) }).first();
      await deadRelu.locator('.gs-badge').click();
      const apply = deadRelu.locator('.gs-apply[data-fix^="activation-"]').first();
      const fix = await apply.getAttribute('data-fix');
      await apply.click();
      // The fix edits the cell; wait until the editor shows the ReLU gone from the layer.
      const deadline = Date.now() + 30_000;
      const texts = () => page.locator('.notebook-editor .cell-list-container .monaco-list-row .view-lines').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' ')).join('\n'));
      while (/activation: 'relu'/.test(await texts())) {
        if (Date.now() > deadline) throw new Error(`the fix ${fix} did not edit the cell`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await runAll(page);
      const button = '.gs-panel .gs-compare-before-fix';
      frame = await frameWith(page, button, 240_000);
      const secondRun = await frame.locator('.gs-panel').first().getAttribute('data-run-id');
      assert.notEqual(secondRun, firstRun, 'the re-run has its own panel');
      await screenshot(page, 'compare-before-fix-offer');
      // The bar sits at the end of a tall panel, below the window: the webview cannot scroll the
      // notebook from inside, so the click is dispatched on the button itself.
      await frame.locator(button).first().dispatchEvent('click');
      const title = frame.locator('.gs-compare-bar .gs-compare-title').first();
      await title.waitFor({ timeout: 30_000 });
      assert.match(await title.innerText(), /^This run vs the run before the fix \(/);
      const view = frame.locator('.gs-compare-bar .gs-compare').first();
      assert.deepEqual(await view.locator('.gs-compare-label').allInnerTexts(), ['before the fix (finished)', 'this run (finished)']);
      assert.equal(await view.getAttribute('data-runs'), `${firstRun} ${secondRun}`);
      const rows = await diffRows(frame, '.gs-compare-bar .gs-compare');
      assert.ok(rows.activations, `the diff shows the activation the fix changed: ${JSON.stringify(rows)}`);
      assert.equal(rows.activations[0][0], 'relu, linear');
      assert.equal(rows.activations[1][1], true, 'the changed activation is highlighted');
      const findings = await view.locator('.gs-compare-run').evaluateAll((els) => els.map((e) => [...e.querySelectorAll('.gs-finding')].map((f) => f.getAttribute('data-code'))));
      assert.ok(findings[0].includes('dead-relu'), `the run before the fix lists dead-relu: ${JSON.stringify(findings)}`);
      await view.scrollIntoViewIfNeeded();
      await screenshot(page, 'compare-before-fix');
    } catch (e) {
      await screenshot(page, 'compare-fix-failure');
      throw e;
    } finally {
      await closePage(page);
    }
  });
});
