/**
 * The panel's sections for validation curves, gradient norms and batch normalization, the axes that
 * follow the run, the words (finding ids, evidence, tooltips, InputLayer, the header's loss) and a
 * 10 000-layer model, in a real headless Chromium. Assertions read what a user sees: DOM text, the
 * HTML tooltip under the pointer, and pixels of the drawn charts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { batchNormSigmoid, earlyStopped, manyLayers, vanishingSigmoid } from './fixtures/scenarios';
import { ARTIFACTS, THEMES, openPage, render, startHarness, store, type Harness } from './harness';

let h: Harness;
let page: Page;
let errors: string[];

/** Parses a number as the panel prints it (thin spaces as thousands separators). */
const num = (s: string) => Number(s.replace(/[\s\u202f]/g, ''));
const close = (a: number, b: number, rel = 0.01) => Math.abs(a - b) <= rel * Math.abs(b);

/**
 * Where pixels of the hue of `hex` lie on a chart canvas (antialiased lines blend with the
 * background: same hue, less saturation), as fractions of its width and CSS px from the top: the
 * rightmost column, and the top and bottom rows below `skipTop` CSS px (the legend sits above).
 */
function hueOf(r: number, g: number, b: number): number {
  const mx = Math.max(r, g, b), dl = mx - Math.min(r, g, b);
  if (dl === 0) return 0;
  const h = mx === r ? ((g - b) / dl) % 6 : mx === g ? (b - r) / dl + 2 : (r - g) / dl + 4;
  return (h * 60 + 360) % 360;
}

function extent(canvas: Locator, hex: string, skipTop = 0) {
  const target = hueOf(...([1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]));
  // (No named inner functions in the page: tsx would wrap them in a helper the page does not have.)
  return canvas.evaluate((c: HTMLCanvasElement, [th, skip]) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const dpr = c.width / c.getBoundingClientRect().width;
    let right = -1, top = Infinity, bottom = -1, n = 0;
    for (let y = Math.round(skip * dpr); y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = (y * c.width + x) * 4;
        const r = d[i], g = d[i + 1], b = d[i + 2];
        const mx = Math.max(r, g, b), dl = mx - Math.min(r, g, b);
        if (d[i + 3] < 200 || dl === 0 || dl / mx <= 0.35 || mx <= 80) continue;
        const h6 = mx === r ? ((g - b) / dl) % 6 : mx === g ? (b - r) / dl + 2 : (r - g) / dl + 4;
        const h = (h6 * 60 + 360) % 360;
        if (Math.min(Math.abs(h - th), 360 - Math.abs(h - th)) < 10) {
          n++; if (x > right) right = x; if (y < top) top = y; if (y > bottom) bottom = y;
        }
      }
    }
    return { n, right: right / c.width, top: top / dpr, bottom: bottom / dpr };
  }, [target, skipTop] as const);
}

/** Moves the pointer over a chart at fractions of its box and returns the tooltip's lines. */
async function hover(canvas: Locator, fx: number, fy: number): Promise<string[]> {
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
  const tip = canvas.locator('xpath=..').locator('.gs-tooltip');
  await tip.waitFor({ state: 'visible' });
  return tip.locator('div').allInnerTexts();
}

async function shot(name: string, p: Page, host: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await p.locator(`#host-${host}`).screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

before(async () => {
  h = await startHarness();
  ({ page, errors } = await openPage(h));
});
after(async () => {
  await h?.close();
});

describe('panel sections', () => {
  test('validation curves per epoch with early-stop, best-weights and LR-reduced markers', async () => {
    const snap = earlyStopped();
    await render(page, 'early', snap);
    const sec = page.locator('#host-early .gs-section-epochs');
    const label = (await sec.locator('canvas').getAttribute('aria-label'))!;
    assert.match(label, /training loss, validation loss, training accuracy, validation accuracy/);
    // The restored weights are epoch 7's (named in the event), not the epoch the event fired in.
    assert.match(label, /LR ↓ at epoch 10, early stop at epoch 12, best weights at epoch 7/);
    await sec.locator('.gs-table-toggle').click();
    const rows = await sec.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')));
    assert.equal(rows.length, 12);
    const head = await sec.locator('thead th').allInnerTexts();
    const val = head.indexOf('validation loss');
    rows.forEach((r, i) => assert.ok(close(num(r[val]), snap.training.epochValLoss!.value[i]!), `epoch ${i + 1}: ${r[val]}`));
    assert.equal(rows[6].at(-1), 'best weights');
    assert.equal(rows[9].at(-1), 'LR ↓');
    assert.equal(rows[11].at(-1), 'early stop');
    await sec.locator('.gs-table-toggle').click();
    // The epoch axis ends at the last epoch run (12), not the 30 planned: the accuracy line reaches the right edge.
    const acc = await extent(sec.locator('canvas'), THEMES.dark.vars['charts-blue'], 30);
    assert.ok(acc.right > 0.85, `training accuracy ends at ${acc.right} of the width`);
    assert.deepEqual(errors, []);
  });

  test('gradient norms: before and after clipping, the clip threshold, tooltips, per-layer view naming the layer', async () => {
    const snap = earlyStopped();
    await render(page, 'norms', snap);
    const sec = page.locator('#host-norms .gs-section-gradnorm');
    const canvas = sec.locator('canvas');
    assert.match((await canvas.getAttribute('aria-label'))!, /before and after clipping, log scale, threshold globalClipnorm 1 \(bounds this norm\)/);
    assert.match(await sec.locator('.gs-note').innerText(), /Clipping: globalClipnorm 1/);
    // The threshold is drawn: a dashed line in the theme's red.
    assert.ok((await extent(canvas, THEMES.dark.vars['charts-red'], 30)).n > 40, 'clip threshold line drawn');
    const lines = await hover(canvas, 0.2, 0.5);
    const step = Number(/^step (\d+)$/.exec(lines[0])![1]);
    const before = lines.find((l) => l.startsWith('before clipping: '))!;
    const afterL = lines.find((l) => l.startsWith('after clipping: '))!;
    const i = snap.training.gradNormPreClip!.step.indexOf(step);
    assert.ok(close(Number(before.split(': ')[1]), snap.training.gradNormPreClip!.value[i]!), `${before} at step ${step}`);
    assert.ok(Number(afterL.split(': ')[1]) <= 1, afterL);
    await sec.locator('.gs-table-toggle').click();
    const rows = await sec.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')));
    assert.ok(rows.length > 100);
    for (const r of rows) assert.ok(num(r[2]) <= 1 && num(r[2]) <= num(r[1]), `after ${r[2]} vs before ${r[1]} at step ${r[0]}`);
    await sec.locator('.gs-table-toggle').click();

    await sec.locator('button.gs-toggle', { hasText: 'Per layer' }).click();
    assert.match((await canvas.getAttribute('aria-label'))!, /Weight-gradient norm ‖∂L\/∂W‖ of 3 layers/);
    const tip = await hover(canvas, 0.5, 0.55);
    assert.equal(tip.length, 2, `one line under the pointer: ${tip}`);
    const [name, value] = tip[1].split(': ');
    const layer = snap.layers.find((l) => l.layer === name);
    assert.ok(layer, `tooltip names a layer: ${tip[1]}`);
    const at = Number(/^step (\d+)$/.exec(tip[0])![1]);
    assert.ok(close(Number(value), layer.gradNorm.value[layer.gradNorm.step.indexOf(at)]!), `${tip[1]} at ${at}`);
  });

  test('axes end where a stopped run’s data ends; a constant LR is a flat, labelled line', async () => {
    const snap = earlyStopped(); // stopped after 600 of 1 500 planned steps
    await render(page, 'axes', snap);
    const blue = THEMES.dark.vars['charts-blue'];
    const lr = await extent(page.locator('#host-axes .gs-section-lr canvas'), blue, 30);
    // The loss axis takes the right ~15 % of this chart; squeezed, the line would end near 0.35.
    assert.ok(lr.right > 0.75, `LR line ends at ${lr.right} of the width (data squeezed left?)`);
    const orange = THEMES.dark.vars['charts-orange'];
    const pre = await extent(page.locator('#host-axes .gs-section-gradnorm canvas'), orange, 30);
    assert.ok(pre.right > 0.85, `gradient norm ends at ${pre.right} of the width`);

    await render(page, 'constant', vanishingSigmoid()); // lr 0.01 at every step
    const c = page.locator('#host-constant .gs-section-lr canvas');
    assert.match((await c.getAttribute('aria-label'))!, /constant schedule, constant at 0\.01\)/);
    const flat = await extent(c, blue, 40);
    assert.ok(flat.n > 200 && flat.bottom - flat.top <= 3, `LR line spans ${flat.top}–${flat.bottom} px: not flat`);
    const box = (await c.boundingBox())!;
    // Axis 0 … 2 × rate: the line sits in the middle of the plot, not at an edge of a magnified range.
    assert.ok(flat.top > 0.3 * box.height && flat.top < 0.7 * box.height, `line at ${flat.top} of ${box.height} px`);
  });

  test('tooltips name the layer under the pointer with scientific notation', async () => {
    const snap = vanishingSigmoid();
    await render(page, 'tips', snap);
    const canvas = page.locator('#host-tips .gs-section-sensitivity canvas').first();
    const tip = await hover(canvas, 0.5, 0.62);
    assert.equal(tip.length, 2, `${tip}`);
    const m = /^(dense_Dense\d+): (\d(?:\.\d+)?e-\d+)$/.exec(tip[1]);
    assert.ok(m, `a layer and a number in scientific notation: ${tip[1]}`);
    const layer = snap.layers.find((l) => l.layer === m[1])!;
    const step = Number(/^step (\d+)$/.exec(tip[0])![1]);
    assert.ok(close(Number(m[2]), layer.sensitivityRms.value[layer.sensitivityRms.step.indexOf(step)]!), `${tip[1]} at step ${step}`);
  });

  test('words: finding id, evidence in words, the header’s loss, InputLayer neither frozen nor counted', async () => {
    const snap = earlyStopped();
    await render(page, 'words', snap);
    const host = page.locator('#host-words');
    const badge = host.locator('.gs-badge');
    assert.equal(await badge.locator('code.gs-finding-id').innerText(), 'overfitting');
    await badge.click();
    const ev = await host.locator('.gs-evidence th').allInnerTexts();
    assert.deepEqual(ev, ['step', 'epoch', 'best epoch', 'best validation loss', 'validation loss', 'training loss']);
    const epochLoss = snap.training.epochLoss.value.at(-1)!;
    const m = /loss ([\d.]+) \(epoch 12 mean\)/.exec(await host.locator('.gs-header').innerText());
    assert.ok(m && close(Number(m[1]), epochLoss), `header: ${await host.locator('.gs-header').innerText()}`);
    assert.match(await host.locator('.gs-section-frozen .gs-note').first().innerText(), /3 of 3 layers with weights trainable/);
    assert.deepEqual(await host.locator('.gs-layer .gs-layer-state').allInnerTexts(), ['⇥ input', '✎ trainable', '✎ trainable', '✎ trainable']);

    await render(page, 'live-loss', vanishingSigmoid());
    assert.match(await page.locator('#host-live-loss .gs-header').innerText(), /loss [\d.]+ \(last batch\)/);
  });

  test('batch-norm rows: batch statistics against moving averages; BN layers not labelled as sigmoids', async () => {
    const snap = batchNormSigmoid();
    await render(page, 'bn', snap);
    const sec = page.locator('#host-bn .gs-section-batchnorm');
    assert.equal(await sec.isVisible(), true);
    const bnLayers = snap.layers.filter((l) => l.batchNorm);
    const rows = sec.locator('.gs-bn-row:not(.gs-bn-head)');
    assert.equal(await rows.count(), 3);
    for (const [i, l] of bnLayers.entries()) {
      const r = rows.nth(i);
      assert.equal(await r.locator('.gs-layer-name').innerText(), l.layer);
      const b = l.batchNorm!;
      const mean = /batch (\S+) · moving (\S+)/.exec(await r.locator('.gs-bn-mean').innerText())!;
      const vr = /batch (\S+) · moving (\S+)/.exec(await r.locator('.gs-bn-var').innerText())!;
      assert.ok(close(Number(mean[1]), b.batchMean) && close(Number(mean[2]), b.movingMean), `${l.layer} mean ${mean[0]}`);
      assert.ok(close(Number(vr[1]), b.batchVar) && close(Number(vr[2]), b.movingVar), `${l.layer} variance ${vr[0]}`);
      const shift = /^(\S+) σ$/.exec(await r.locator('.gs-bn-shift').innerText())!;
      assert.ok(close(Number(shift[1]), b.maxMeanShift), `${l.layer} shift ${shift[0]}`);
    }
    const kinds = await page.locator('#host-bn .gs-sat-rows .gs-kind').allInnerTexts();
    assert.deepEqual(kinds, ['batch norm → sigmoid after it: saturated', 'batch norm → sigmoid after it: saturated', 'batch norm → sigmoid after it: saturated', 'sigmoid: saturated']);
    assert.deepEqual(errors, []);
  });

  test('10 000 layers: per-layer views thinned, long lists summed up, tables virtualized', async () => {
    const snap = manyLayers(10_000);
    await store(page, 'many', JSON.stringify(snap));
    await render(page, 'many', null, { fromStore: 'many' });
    const host = page.locator('#host-many');
    assert.match(await host.locator('.gs-section-sensitivity .gs-body > .gs-note').innerText(), /Showing 10\d of 10000 layers, evenly spaced/);
    assert.match(await host.locator('.gs-section-saturation .gs-note').nth(1).innerText(), /The 40 most affected of 10000 probed layers/);
    assert.ok(await host.locator('.gs-section-frozen .gs-layer').count() <= 201);
    assert.match(await host.locator('.gs-section-frozen .gs-layer-gap').innerText(), /9\s?800 more layers: 9\s?800 trainable, 0 frozen/);
    const sec = host.locator('.gs-section-sensitivity');
    await sec.locator('.gs-table-toggle').click();
    const table = sec.locator('table.gs-table');
    assert.equal(await table.getAttribute('aria-rowcount'), '10001');
    assert.ok(await sec.locator('tbody tr:not(.gs-spacer)').count() < 150, 'only the rows in view are in the DOM');
    assert.equal(await sec.locator('tbody tr:not(.gs-spacer) th').first().innerText(), snap.layers[0].layer);
    await sec.locator('.gs-table-wrap').evaluate((e) => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); });
    assert.equal(await sec.locator('tbody tr:not(.gs-spacer) th').last().innerText(), snap.layers.at(-1)!.layer);
    assert.deepEqual(errors, []);
  });

  test('a theme change keeps the early-stop markers (drawn in the new theme\'s purple)', async () => {
    const { page: p, errors: errs } = await openPage(h, 'dark');
    try {
      await render(p, 'retheme', earlyStopped());
      const canvases = ['lr', 'epochs'].map((id) => p.locator(`#host-retheme .gs-section-${id} canvas`));
      const purple = async (theme: 'dark' | 'light') => Promise.all(canvases.map(async (c) => (await extent(c, THEMES[theme].vars['charts-purple'])).n));
      const dark = await purple('dark');
      assert.ok(dark.every((n) => n > 20), `early-stop marker pixels before: ${dark}`);
      // What VS Code does on a theme change: new variables on the root, a new class on the body.
      await p.evaluate((vars) => {
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
        document.body.className = 'vscode-light';
      }, THEMES.light.vars as Record<string, string>);
      await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      const light = await purple('light');
      assert.ok(light.every((n) => n > 20), `early-stop marker pixels after the theme change: ${light}`);
      assert.deepEqual(errs, []);
    } finally {
      await p.close();
    }
  });

  test('screenshots of the new sections, dark and light', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPage(h, theme);
      await p.page.setViewportSize({ width: 800, height: 2400 });
      await render(p.page, 'early', earlyStopped());
      await render(p.page, 'bn', batchNormSigmoid());
      const clip = async (name: string, host: string, sections: string[]) => {
        const boxes = await Promise.all(sections.map((s) => p.page.locator(`#host-${host} .gs-section-${s}`).boundingBox()));
        const y0 = Math.min(...boxes.map((b) => b!.y)), y1 = Math.max(...boxes.map((b) => b!.y + b!.height));
        mkdirSync(ARTIFACTS, { recursive: true });
        await p.page.screenshot({ path: join(ARTIFACTS, `${name}-${theme}.png`), clip: { x: 0, y: y0, width: 780, height: y1 - y0 } });
      };
      await clip('sections-norms-epochs', 'early', ['gradnorm', 'epochs']);
      await clip('sections-batchnorm', 'bn', ['saturation', 'batchnorm']);
      await shot(`early-stopped-${theme}`, p.page, 'early');
      assert.deepEqual(p.errors, []);
      await p.page.close();
    }
  });
});
