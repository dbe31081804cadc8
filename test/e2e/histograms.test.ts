/**
 * Histograms over time and the learning-rate finder as a user meets them in the real VS Code
 * (code-server in headless Chromium), on ../fixtures/histograms.tfnb. After Run All: the `gs.lrFinder`
 * output states the suggested rate and the finder's reasons as text, and draws its markers at pixel
 * positions that only a log rate axis gives; the gs.fit run's panel's
 * "Histograms over time" section lists the model's layers in its picker, its weights / weight
 * gradients / activations toggles each paint a different heatmap, and its table of the latest frame
 * has every bin with shares that are whole counts of the layer's parameters (the cell prints them).
 * Screenshots: .test-cache/artifacts/e2e/histograms.png and lr-finder.png, and into media/ when
 * GRADSCOPE_UPDATE_MEDIA=1 (how the README's pictures are made).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './harness/buildSuite';
import {
  ARTIFACTS_DIR, closePage, openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, type UiSession,
} from './harness/workbench';

const NOTEBOOK = 'histograms.tfnb';

/** One turn of the mouse wheel over the notebook (over an output, the webview passes it on). */
async function scrollNotebook(page: Page, dy: number): Promise<void> {
  const box = await page.locator('.notebook-editor .cell-list-container').first().boundingBox();
  if (!box) return;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, dy);
}

/** Finds the first frame where `selector` matches within `timeoutMs`, scrolling the notebook down meanwhile. */
async function frameWith(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    // VS Code renders the outputs of the cells in view only.
    for (let k = 0; k < 8; k++) await scrollNotebook(page, 100);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`nothing matched ${selector} within ${timeoutMs / 1000} s`);
}

/** Scrolls the notebook with the mouse wheel until `target` (in the output webview) has its top about 150 px below the editor's top. */
async function scrollTo(page: Page, target: Locator): Promise<void> {
  const list = page.locator('.notebook-editor .cell-list-container').first();
  for (let i = 0; i < 20; i++) {
    const l = (await list.boundingBox())!;
    const b = await target.boundingBox({ timeout: 2000 }).catch(() => null);
    const dy = b ? b.y - (l.y + 150) : 600;
    if (Math.abs(dy) <= 60) return;
    for (let k = Math.min(40, Math.ceil(Math.abs(dy) / 50)); k > 0; k--) await scrollNotebook(page, Math.sign(dy) * 100);
    await new Promise((r) => setTimeout(r, 800));
  }
  throw new Error('could not scroll the output into view');
}

/** Waits until some frame's text matches `re`, scrolling the notebook down meanwhile when asked; returns the match. */
async function textShown(page: Page, re: RegExp, timeoutMs: number, scroll: boolean): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const m = re.exec(await frame.evaluate(() => document.body?.innerText ?? '').catch(() => ''));
      if (m) return m;
    }
    if (scroll) for (let k = 0; k < 8; k++) await scrollNotebook(page, 100);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no output showing ${String(re)} within ${timeoutMs / 1000} s`);
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

/** Saves a screenshot of `target` (an element of an output) as NAME.png, and into media/ on request. */
async function elementShot(page: Page, target: Locator, name: string): Promise<string> {
  await page.mouse.move(1, 1); // no tooltip over the picture
  await new Promise((r) => setTimeout(r, 500));
  const b = await target.boundingBox();
  assert.ok(b, `${name}: the element is laid out`);
  const list = (await page.locator('.notebook-editor .cell-list-container').first().boundingBox())!;
  assert.ok(b.y - 4 >= list.y && b.y + b.height + 4 <= list.y + list.height, `${name}: the element lies within the notebook's view`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, clip: { x: b.x - 4, y: b.y - 4, width: b.width + 8, height: b.height + 8 } });
  if (process.env.GRADSCOPE_UPDATE_MEDIA === '1') copyFileSync(path, join(REPO_ROOT, 'media', `${name}.png`));
  return path;
}

/** A fingerprint of the pixels of the histogram canvas, and how many distinct colours it paints. */
function canvasPixels(section: Locator): Promise<{ hash: number; shades: number }> {
  return section.locator('canvas.gs-hist-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 200) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      hash = (Math.imul(hash, 31) + d[i] + 7 * d[i + 1] + 13 * d[i + 2] + 17 * d[i + 3]) | 0;
    }
    return { hash, shades: seen.size };
  });
}

/**
 * The x (canvas pixels) of the vertical marker line drawn in the theme colour `cssVar`: the column
 * with the most opaque pixels within 10° of that colour's hue, and how many it has.
 */
async function markerColumn(canvas: Locator, cssVar: string): Promise<{ x: number; n: number; hex: string }> {
  const hex = await canvas.evaluate((_c, v) => getComputedStyle(document.documentElement).getPropertyValue(v).trim(), cssVar);
  const [r0, g0, b0] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const mx0 = Math.max(r0, g0, b0), dl0 = mx0 - Math.min(r0, g0, b0);
  const target = (((mx0 === r0 ? ((g0 - b0) / dl0) % 6 : mx0 === g0 ? (b0 - r0) / dl0 + 2 : (r0 - g0) / dl0 + 4) * 60) + 360) % 360;
  // (No named inner functions in the page: tsx would wrap them in a helper the page does not have.)
  const { x, n } = await canvas.evaluate((c: HTMLCanvasElement, t: number) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const cols = new Array<number>(c.width).fill(0);
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i], g = d[i + 1], b = d[i + 2], mx = Math.max(r, g, b), dl = mx - Math.min(r, g, b);
      if (d[i + 3] < 200 || mx <= 80 || dl / mx <= 0.35) continue;
      const h = ((((mx === r ? ((g - b) / dl) % 6 : mx === g ? (b - r) / dl + 2 : (r - g) / dl + 4)) * 60) + 360) % 360;
      if (Math.min(Math.abs(h - t), 360 - Math.abs(h - t)) < 10) cols[(i / 4) % c.width]++;
    }
    let best = 0;
    for (let k = 0; k < cols.length; k++) if (cols[k] > cols[best]) best = k;
    return { x: best, n: cols[best] };
  }, target);
  return { x, n, hex };
}

describe('histograms over time and the learning-rate finder in the browser workbench', () => {
  let ui: UiSession | undefined;
  let page: Page;
  before(async () => {
    ui = await startUiSession([NOTEBOOK]);
    page = await ui.open({ width: 1400, height: 2400 });
    await openNotebook(page, NOTEBOOK);
    await runAll(page);
    await pickKernelIfAsked(page, 'Gradscope');
  });
  after(async () => {
    if (page) await closePage(page);
    await ui?.stop();
  });

  test('gs.lrFinder: the suggestion and its reasons as text, the loss against the rate on a log axis', { timeout: 240_000 }, async () => {
    try {
      const [, json] = await textShown(page, /finder: (\{[^\n]+\})/, 300_000, false);
      const found = JSON.parse(json) as { suggested: number; minimum: number; diverged: number; reasons: string[] };
      assert.ok(found.suggested && found.minimum && found.diverged, `the finder suggests, finds a minimum and a divergence: ${json}`);

      const frame = await frameWith(page, '.gs-lrfinder canvas', 60_000);
      const view = frame.locator('.gs-lrfinder').first();
      await scrollTo(page, view);
      const headline = await view.locator('.gs-lr-suggestion').innerText();
      const shown = Number(/^Suggested learning rate: ([\d.e+-]+) \(steepest descent of the smoothed loss\)$/.exec(headline)?.[1]);
      assert.ok(Math.abs(shown - found.suggested) <= 0.01 * found.suggested, `${headline} shows ${found.suggested}`);
      assert.deepEqual(await view.locator('.gs-lr-reasons li').allInnerTexts(), found.reasons);
      assert.ok(found.reasons.some((r) => /diverged at/.test(r)), `the reasons say where the loss diverged: ${found.reasons.join(' | ')}`);
      const canvas = view.locator('canvas');
      assert.equal(await canvas.getAttribute('aria-label'), 'Loss against learning rate, log scale');

      // The markers at the suggestion, the minimum and the divergence: their distances on the chart are
      // in the ratio of the rates' logarithms (on a linear axis they would be in the ratio of the rates).
      const [s, m, d] = await Promise.all(['--vscode-charts-green', '--vscode-charts-orange', '--vscode-charts-red'].map((v) => markerColumn(canvas, v)));
      console.log(`marker columns: suggested ${JSON.stringify(s)}, minimum ${JSON.stringify(m)}, diverged ${JSON.stringify(d)}`);
      for (const [what, k] of [['suggested', s], ['minimum', m], ['diverged', d]] as const) assert.ok(k.n > 30, `the ${what} marker is drawn (${k.n} pixels in its column)`);
      const onChart = (m.x - s.x) / (d.x - s.x);
      const logRatio = Math.log(found.minimum / found.suggested) / Math.log(found.diverged / found.suggested);
      const linRatio = (found.minimum - found.suggested) / (found.diverged - found.suggested);
      console.log(`minimum between suggestion and divergence: ${onChart.toFixed(3)} on the chart, ${logRatio.toFixed(3)} on a log axis, ${linRatio.toFixed(3)} on a linear one`);
      assert.ok(Math.abs(onChart - logRatio) < 0.05, `the rate axis is logarithmic: ${onChart} vs ${logRatio}`);
      await elementShot(page, view, 'lr-finder');
    } catch (e) {
      await screenshot(page, 'lr-finder-failure');
      throw e;
    }
  });

  test('the layer picker, the kind toggles and the latest frame\'s table of a gs.fit run', { timeout: 360_000 }, async () => {
    try {
      const [, stepsText, layersText] = await textShown(page, /histogram run: (\d+) steps; layers ([^\n]+)/, 300_000, true);
      const steps = Number(stepsText);
      const params = Object.fromEntries(layersText.trim().split(' ').map((p) => p.split('=')).map(([n, c]) => [n, Number(c)]));
      assert.deepEqual(Object.keys(params), ['hidden', 'out']);

      const frame = await frameWith(page, '.gs-panel .gs-section-histograms:not([hidden]) canvas.gs-hist-canvas', 60_000);
      const panel = frame.locator('.gs-panel', { has: frame.locator('.gs-section-histograms:not([hidden])') }).first();
      await until('the run\'s panel to say finished', async () => (await panel.locator('.gs-status').first().textContent()) === 'finished', 60_000);
      const section = panel.locator('.gs-section-histograms');
      await scrollTo(page, section);

      // The picker lists the model's layers; the toggles the three kinds.
      assert.deepEqual(await section.locator('select.gs-hist-layer option').allInnerTexts(), Object.keys(params));
      const kinds = ['weights', 'weight gradients', 'activations'];
      assert.deepEqual(await section.locator('.gs-hist-kinds button').allInnerTexts(), kinds);

      // Each toggle switches the heatmap: its label, its note and its pixels.
      const hashes: number[] = [];
      for (const kind of kinds) {
        await section.locator('.gs-hist-kinds button', { hasText: new RegExp(`^${kind}$`) }).click();
        const canvas = section.locator('canvas.gs-hist-canvas');
        await until(`the ${kind} heatmap`, async () => (await canvas.getAttribute('aria-label')) === `Histogram of hidden ${kind} over steps`);
        const note = await section.locator('.gs-body .gs-note').first().innerText();
        const m = new RegExp(`^hidden, ${kind}: (\\d+) columns over (\\d+) probes \\(steps (\\d+)–(\\d+)\\); rows: 24 bins from`).exec(note);
        assert.ok(m, `note of ${kind}: ${note}`);
        assert.ok(Number(m[2]) >= 2 && Number(m[4]) <= steps, `${kind}: ${m[2]} probes up to step ${m[4]} of a ${steps}-step run`);
        const px = await canvasPixels(section);
        assert.ok(px.shades > 8, `${kind}: the bins are painted in ${px.shades} shades`);
        hashes.push(px.hash);
        if (kind === 'weights') {
          await section.locator('.gs-hist-kinds button', { hasText: /^weights$/ }).click();
          await elementShot(page, section, 'histograms');
        }
      }
      assert.equal(new Set(hashes).size, 3, 'the three kinds paint three different heatmaps');

      // The table of the latest frame: every bin, under, over and non-finite, each share a whole number
      // of the layer's parameters (they are fewer than the values a histogram samples, so all are counted).
      await section.locator('.gs-hist-kinds button', { hasText: /^weights$/ }).click();
      await section.locator('.gs-table-toggle').click();
      for (const layer of Object.keys(params)) {
        await section.locator('select.gs-hist-layer').selectOption(layer);
        const note = await until(`the table of ${layer}`, async () => {
          const t = await section.locator('.gs-table-wrap .gs-note').first().innerText().catch(() => '');
          return t.startsWith(`${layer}, weights, step`) ? t : undefined;
        }, 10_000);
        const [, step, probes] = /step (\d+) \((\d+) probes\)/.exec(note)!;
        assert.ok(Number(step) <= steps, `the latest frame's step ${step} lies within the run's ${steps} steps`);
        const rows = await section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
        assert.equal(rows.length, 24 + 3, `${layer}: every bin, under, over and non-finite`);
        assert.deepEqual([rows[0][0].slice(0, 1), rows[25][0].slice(0, 1), rows[26][0]], ['<', '≥', 'non-finite']);
        const values = Number(probes) * params[layer];
        const counts = rows.map(([bin, share]) => {
          const c = (Number(share.replace(/\s*%$/, '')) * values) / 100;
          // Shares print with three significant digits.
          assert.ok(Math.abs(c - Math.round(c)) <= 0.005 * c + 0.02, `${layer} ${bin}: ${share} of ${values} values is not a whole count (${c})`);
          return Math.round(c);
        });
        assert.equal(counts.reduce((a, b) => a + b, 0), values, `${layer}: the counts add up to ${probes} probe(s) × ${params[layer]} parameters`);
        assert.ok(counts.slice(1, 25).filter((c) => c > 0).length >= 2, `${layer}: the values spread over the bins: ${counts}`);
      }
      await section.locator('.gs-table-toggle').click();
    } catch (e) {
      await screenshot(page, 'histograms-failure');
      throw e;
    }
  });
});
