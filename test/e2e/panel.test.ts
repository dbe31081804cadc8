/**
 * What a user sees of sample 1 in the browser workbench: Run All with the Gradscope kernel,
 * then, in the renderer's webview iframe, the sigmoid run's gradient-health panel with its four charts
 * (sensitivities, saturation, learning rate, frozen-layer map) and its vanishing-gradient badge.
 * Then, on the dead-ReLU fixture, a click on a code lens changes the cell that created the layer.
 * Screenshots: .test-cache/artifacts/e2e/panel-*.png and lens-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { REPO_ROOT } from './harness/buildSuite';
import {
  closePage, openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, type UiSession,
} from './harness/workbench';

const SAMPLE = '01-vanishing-gradients.tfnb';

/** What the test reads of one rendered panel. */
interface PanelView {
  status: string;
  /** Per chart section: null without a canvas, else how many coloured (non-grey) pixels its main canvas shows. */
  painted: Record<'sensitivity' | 'saturation' | 'lr', number | null>;
  frozenLayers: number;
  /** Layer rows of the saturation section. */
  saturationRows: number;
  badges: string[];
}

/**
 * Reads every gradient-health panel of the page it runs in (shadow roots included, where VS Code may put
 * outputs). A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
 */
const READ_PANELS = `(() => {
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i].querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  }
  return roots.flatMap((r) => [...r.querySelectorAll('.gs-panel')]).map((panel) => {
    const painted = (id) => {
      const canvas = panel.querySelector('.gs-section-' + id + ' canvas');
      if (!canvas || canvas.width === 0 || canvas.height === 0) return null;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let k = 0; k < data.length; k += 4) {
        // Coloured, opaque pixels: the data series (axes, grid and labels are grey).
        const r = data[k], g = data[k + 1], b = data[k + 2];
        if (data[k + 3] > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
      }
      return n;
    };
    return {
      status: panel.querySelector('.gs-status')?.textContent ?? '',
      painted: { sensitivity: painted('sensitivity'), saturation: painted('saturation'), lr: painted('lr') },
      frozenLayers: panel.querySelectorAll('.gs-section-frozen .gs-layer').length,
      saturationRows: panel.querySelectorAll('.gs-section-saturation .gs-sat-rows .gs-layer-name').length,
      badges: [...panel.querySelectorAll('.gs-badge')].map((b) => b.textContent ?? ''),
    };
  });
})()`;

function readPanels(frame: Frame): Promise<PanelView[]> {
  return frame.evaluate(READ_PANELS) as Promise<PanelView[]>;
}

/** Waits until some frame shows `count` finished panels; returns that frame and its panels. */
async function waitForPanels(page: Page, count: number, timeoutMs: number): Promise<{ frame: Frame; panels: PanelView[] }> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const panels = await readPanels(frame).catch((e: Error) => {
        if (!/detached|destroyed|navigat/i.test(e.message)) seen = `error in ${frame.url().slice(0, 80)}: ${e.message}`;
        return [] as PanelView[];
      });
      if (panels.length) seen = panels.map((p) => p.status).join(', ');
      if (panels.length >= count && panels.every((p) => p.status === 'finished')) return { frame, panels };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no ${count} finished gradient-health panels within ${timeoutMs / 1000} s (last seen: ${seen || 'none'})`);
}

/** Text of the notebook's cell editors (monaco renders spaces as no-break spaces). */
function cellTexts(page: Page): Promise<string[]> {
  return page.locator('.notebook-editor .cell-list-container .monaco-list-row .view-lines')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' ')));
}

describe('the gradient-health panel in the browser workbench', () => {
  let ui: UiSession | undefined;
  before(async () => {
    ui = await startUiSession([join(REPO_ROOT, 'samples', SAMPLE), 'dead-relu.tfnb']);
  });
  after(() => ui?.stop());

  test(`${SAMPLE}: the sigmoid run's panel shows four charts and the vanishing-gradient badge`, { timeout: 420_000 }, async () => {
    // A tall window shows the first training run's output without scrolling (VS Code renders the
    // outputs of visible cells only; the other runs' payloads are checked by suite/samples.e2e.ts).
    const page = await ui!.open({ width: 1400, height: 2600 });
    try {
      await openNotebook(page, SAMPLE);
      await runAll(page);
      await pickKernelIfAsked(page, 'Gradscope');
      const { panels } = await waitForPanels(page, 1, 300_000);
      await screenshot(page, 'panel-sample-01');
      console.log(`coloured pixels per chart: ${JSON.stringify(panels.map((p) => p.painted))}`);
      for (const [i, p] of panels.entries()) {
        for (const chart of ['sensitivity', 'saturation', 'lr'] as const) assert.ok(p.painted[chart] !== null, `panel ${i + 1}: no ${chart} chart`);
        // 11 layer lines over 192 steps, and the LR/loss curves: thousands of coloured pixels; the
        // legend alone paints well under 200. (The saturation bars of this run are near 0 %, as the
        // sample says, so that chart is checked by its layer rows.)
        for (const chart of ['sensitivity', 'lr'] as const) {
          assert.ok(p.painted[chart]! > 1000, `panel ${i + 1}: the ${chart} chart draws no data (${p.painted[chart]} coloured pixels)`);
        }
        assert.ok(p.saturationRows >= 11, `panel ${i + 1}: the saturation chart lists ${p.saturationRows} layers`);
        // 10 hidden Dense layers and the output layer.
        assert.ok(p.frozenLayers >= 11, `panel ${i + 1}: the frozen-layer map lists ${p.frozenLayers} layers`);
      }
      assert.ok(panels[0].badges.some((b) => /vanishing|sensitivity falls/i.test(b)),
        `the sigmoid run's panel shows no vanishing-gradient badge: ${panels[0].badges.join(' | ') || 'no badges'}`);

      // The editor around it. The ten sigmoid layers come from one call: the Problems view lists the
      // finding once, the Ctrl+. menu offers each fix once, the lens shows a codicon, not a missing glyph.
      const badge = panels[0].badges.find((b) => b.includes('vanishing-gradient: '))!;
      const message = badge.slice(badge.indexOf('vanishing-gradient: ') + 'vanishing-gradient: '.length).trim();
      await page.keyboard.press('Control+Shift+M');
      const problemRows = page.locator('.markers-panel .monaco-list-row');
      await problemRows.first().waitFor({ timeout: 20_000 });
      const listed = async () => (await problemRows.allInnerTexts()).filter((t) => t.includes(message.slice(0, 60)));
      const deadline = Date.now() + 20_000;
      while ((await listed()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      assert.equal((await listed()).length, 1, `the vanishing-gradient finding is listed ${(await listed()).length} times in Problems:\n${(await problemRows.allInnerTexts()).join('\n')}`);
      await screenshot(page, 'problems-sample-01');

      const lens = page.locator('.codelens-decoration', { hasText: 'Switch sigmoid → ReLU' }).first();
      await lens.waitFor({ state: 'visible', timeout: 20_000 });
      assert.ok(await lens.locator('.codicon-warning').count() > 0, `the lens has no warning codicon: ${await lens.innerHTML()}`);

      // Ctrl+. on the Problems entry: the quick fixes of that squiggle, as a menu.
      await problemRows.filter({ hasText: message.slice(0, 60) }).first().click();
      await page.waitForTimeout(1000);
      await page.keyboard.press('Control+.');
      const actions = page.locator('.context-view .monaco-menu .action-item .action-label, .action-widget .monaco-list-row.action');
      await actions.first().waitFor({ state: 'visible', timeout: 15_000 });
      const titles = (await actions.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      await screenshot(page, 'quick-fixes-sample-01');
      await page.keyboard.press('Escape');
      assert.ok(titles.some((t) => /ReLU/.test(t)), `no ReLU quick fix: ${titles.join(' | ')}`);
      assert.deepEqual(titles, [...new Set(titles)], `a quick fix is offered twice: ${titles.join(' | ')}`);

    } catch (e) {
      await screenshot(page, 'panel-failure');
      throw e;
    } finally {
      await closePage(page);
    }
  });

  test('dead-relu.tfnb: clicking the "Switch ReLU → ELU" code lens edits the layer in the cell', { timeout: 300_000 }, async () => {
    const page = await ui!.open();
    try {
      await openNotebook(page, 'dead-relu.tfnb');
      await runAll(page);
      await pickKernelIfAsked(page, 'Gradscope');
      await waitForPanels(page, 1, 240_000);
      const before = "tf.layers.dense({ units: 32, activation: 'relu', inputShape: [8]";
      assert.ok((await cellTexts(page)).some((t) => t.includes(before)), 'the ReLU layer as the fixture has it');
      const lens = page.locator('.codelens-decoration a', { hasText: 'Switch ReLU → ELU' }).first();
      await lens.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'lens-before-click');
      await lens.click();
      // src/fixes/activationFixes.ts: relu → elu, nothing else of the call changes.
      const after = "tf.layers.dense({ units: 32, activation: 'elu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }) }),";
      const deadline = Date.now() + 20_000;
      while (!(await cellTexts(page)).some((t) => t.includes(after))) {
        if (Date.now() > deadline) throw new Error(`the lens did not switch the layer to ELU:\n${(await cellTexts(page)).join('\n---\n')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await screenshot(page, 'lens-after-click');
    } catch (e) {
      await screenshot(page, 'lens-failure');
      throw e;
    }
  });
});
