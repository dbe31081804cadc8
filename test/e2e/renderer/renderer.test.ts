/**
 * The gradient-health renderer in a real headless Chromium: each fixture is rendered through the
 * renderer API with fake output items, and the tests assert on what a user sees in the DOM.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { deadRelu, exploding, healthy, malformed, transferFrozen, vanishingSigmoid } from './fixtures/scenarios';
import { ARTIFACTS, THEMES, openPage, render, startHarness, type Harness } from './harness';

let h: Harness;
let page: Page;
let errors: string[];
let dialogs: string[];

/** Parses a number as the panel prints it (thin spaces as thousands separators). */
const num = (s: string) => Number(s.replace(/[\s\u202f]/g, '').replace('%', ''));
const text = (sel: string) => page.locator(sel).first().innerText();

async function shot(name: string, host: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator(`#host-${host}`).screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

before(async () => {
  h = await startHarness();
  ({ page, errors, dialogs } = await openPage(h));
});
after(async () => {
  await h?.close();
});

describe('gradient-health renderer', () => {
  test('healthy run: header, the chart sections, SELU mean/std, no findings', async () => {
    const snap = healthy();
    snap.probeBatch = { size: 32, of: 60000, drawn: 'stratified', classes: 10, seed: 0, description: '32 of 60000 training samples, drawn at random per class (10 classes), seed 0' };
    await render(page, 'healthy', snap);
    const host = page.locator('#host-healthy');
    assert.deepEqual(await host.locator('section.gs-section').evaluateAll((s) => s.map((x) => x.getAttribute('aria-label'))),
      ['Sensitivities ∂L/∂net (RMS per layer)', 'Gradient norms', 'Saturation (latest probe)', 'Batch normalization: batch vs moving statistics',
        'Learning rate and loss', 'Training and validation per epoch', 'Histograms over time', 'Frozen-layer map']);
    assert.equal(await host.locator('.gs-section-batchnorm').isVisible(), false, 'no BatchNormalization layer: no BN rows');
    assert.equal(await host.locator('section canvas').count() >= 3, true);
    assert.equal(await host.locator('.gs-status').innerText(), 'FINISHED');
    const header = await host.locator('.gs-header').innerText();
    assert.match(header, /epoch 5\/5/);
    assert.match(header, /step 1\s?000\/1\s?000/);
    assert.match(header, /backend wasm/);
    assert.match(header, /diagnostics' own time 2\.1 % of training, probe every 10 steps/);
    assert.match(header, /probe batch: 32 of 60000 training samples, drawn at random per class \(10 classes\), seed 0/);
    assert.equal(await host.locator('.gs-badge').count(), 0);
    const lrLabel = await host.locator('.gs-section-lr canvas').getAttribute('aria-label');
    // 0.01 → 0.01·0.1^2 spans 100×: the LR axis must be logarithmic; the schedule kind is named.
    assert.match(lrLabel!, /exponential schedule, log scale/);
    const selu = snap.layers[0].latestSaturation!;
    const row = await host.locator('.gs-sat-latest').first().innerText();
    assert.match(row, /mean/);
    const m = /mean (-?[\d.e-]+), std ([\d.e-]+)/.exec(row)!;
    assert.ok(Math.abs(Number(m[1]) - selu.mean!) < 5e-3 && Math.abs(Number(m[2]) - selu.std!) < 5e-3, row);
    assert.deepEqual(errors, []);
    await shot('healthy-dark', 'healthy');
  });

  test('vanishing sigmoid stack: badge expands to evidence and fixes; table ratio and heatmap fade', async () => {
    const snap = vanishingSigmoid();
    await render(page, 'vanishing', snap);
    const host = page.locator('#host-vanishing');
    assert.equal(await host.locator('.gs-probe-batch').isVisible(), false, 'a payload without a probe batch claims none');
    const badges = host.locator('.gs-badge');
    assert.equal(await badges.count(), 2);
    assert.match(await badges.first().innerText(), /error vanishing-gradient: dense_Dense1: sensitivity .*smaller than at the output/);
    const detail = host.locator('.gs-finding-detail').first();
    assert.equal(await detail.isVisible(), false);
    await badges.first().click();
    assert.equal(await badges.first().getAttribute('aria-expanded'), 'true');
    assert.equal(await detail.isVisible(), true);
    assert.match(await detail.innerText(), /threshold factor\s+100/);
    assert.match(await detail.innerText(), /RMS of ∂L\/∂net, first layer/);
    assert.doesNotMatch(await detail.innerText(), /firstRms|lastRms/, 'evidence keys in words');
    assert.match(await detail.innerText(), /Switch sigmoid\/tanh → ReLU \(He init\)/, 'the catalogue title, as the lens and quick fix say it');
    assert.equal(await detail.locator('button.gs-apply').count(), 0, 'no Apply buttons without renderer messaging');

    await host.locator('.gs-section-sensitivity .gs-table-toggle').click();
    const rows = host.locator('.gs-section-sensitivity table.gs-table tbody tr');
    assert.equal(await rows.count(), snap.layers.length);
    const first = await rows.first().locator('th, td').allInnerTexts();
    assert.equal(first[0], snap.layers[0].layer);
    const rms = (i: number) => snap.layers[i].sensitivityRms.value.at(-1)!;
    const expectRatio = rms(0) / rms(snap.layers.length - 1);
    assert.ok(Math.abs(num(first[6]) / expectRatio - 1) < 0.01, `ratio cell ${first[6]} vs ${expectRatio}`);
    assert.ok(Math.abs(num(first[2]) / rms(0) - 1) < 0.01, `RMS cell ${first[2]} vs ${rms(0)}`);
    await host.locator('.gs-section-sensitivity .gs-table-toggle').click();

    await host.getByRole('button', { name: /heatmap/i }).click();
    const [top, bottom] = await host.locator('canvas.gs-heatmap').evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const r = c.getBoundingClientRect();
      const dpr = c.width / r.width;
      const rowH = (r.height - 18) / 10;
      // (No named inner functions here: tsx would wrap them in a helper the page does not have.)
      return [rowH / 2, 9 * rowH + rowH / 2].map((y) => Array.from(ctx.getImageData(Math.round(330 * dpr), Math.round(y * dpr), 1, 1).data));
    });
    // Viridis: the input row (tiny sensitivities) is dark purple, the output row bright yellow-green.
    assert.ok(top[0] + top[1] + top[2] < 250 && bottom[1] > 180, `input row ${top}, output row ${bottom}`);
    await shot('vanishing-heatmap-dark', 'vanishing');
    await host.getByRole('button', { name: /heatmap/i }).click();
  });

  test('exploding run ending in NaN: failed status, error text, NaN gaps and marker', async () => {
    const snap = exploding();
    await render(page, 'exploding', snap);
    const host = page.locator('#host-exploding');
    assert.equal(await host.locator('.gs-status').innerText(), 'FAILED');
    assert.equal(await host.locator('.gs-head .gs-error-text').innerText(), snap.error);
    assert.match(await host.locator('.gs-header').innerText(), /loss non-finite/);
    assert.doesNotMatch(await host.locator('.gs-header').innerText(), /diagnostics/, 'a payload without cost says nothing about it');
    assert.match(await host.locator('.gs-events').innerText(), /step 340 \(epoch 4\): NaN — loss became NaN/);
    assert.match((await host.locator('.gs-section-lr canvas').getAttribute('aria-label'))!, /constant schedule, constant at 0\.5\)/);
    await host.locator('.gs-section-lr .gs-table-toggle').click();
    const cells = await host.locator('.gs-section-lr tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    const last = cells.at(-1)!;
    assert.equal(last[0], String(snap.training.lr.step.at(-1)));
    assert.equal(last[2], 'non-finite');
    assert.ok(cells.length < snap.training.lr.step.length || cells.length === snap.training.lr.step.length);
    await host.locator('.gs-section-lr .gs-table-toggle').click();
    // Heatmap: after the NaN (step 340 of 360) every layer's cells are the red non-finite hatch.
    await host.getByRole('button', { name: /heatmap/i }).click();
    const [early, late] = await host.locator('canvas.gs-heatmap').evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const r = c.getBoundingClientRect();
      const dpr = c.width / r.width;
      const plotW = r.width - 120 - 64;
      return [0.3, 0.99].map((f) => Array.from(ctx.getImageData(Math.round((120 + plotW * f) * dpr), Math.round(8 * dpr), 1, 1).data));
    });
    assert.ok(late[0] >= 120 && late[1] <= 40 && late[2] <= 40, `after NaN: ${late}`);
    assert.ok(!(early[0] >= 120 && early[1] <= 40 && early[2] <= 40), `before NaN: ${early}`);
    await shot('exploding-dark', 'exploding');
  });

  test('dead ReLU with a hostile layer name: escaped text, badge, saturation numbers, LR events', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const snap = deadRelu(['dense_1', evil]);
    await render(page, 'dead', snap);
    const host = page.locator('#host-dead');
    assert.equal(await host.locator('img').count(), 0);
    assert.equal(dialogs.length, 0);
    assert.equal(await host.locator('.gs-badge').innerText(), `⚠ warning dead-relu: ${evil}: 72 % dead ReLU`);
    assert.equal(await host.locator(`.gs-layer[data-layer="${evil.replace(/"/g, '\\"')}"] strong`).innerText(), evil);
    await host.locator('.gs-section-saturation .gs-table-toggle').click();
    const row = await host.locator('.gs-section-saturation tbody tr').nth(1).locator('th, td').allInnerTexts();
    assert.equal(row[0], evil);
    assert.equal(row[1], 'relu');
    assert.equal(num(row[2]), Math.round(snap.layers[1].latestSaturation!.dead! * 1000) / 10);
    const events = await host.locator('.gs-events li').allInnerTexts();
    assert.equal(events.filter((e) => e.includes('LR ↓')).length, 2);
    assert.ok(events.some((e) => e.includes('early stop')));
    // 0.1 → 0.025 spans only 4×: linear LR axis.
    assert.match((await host.locator('.gs-section-lr canvas').getAttribute('aria-label'))!, /plateau schedule, linear scale/);
    await shot('dead-relu-dark', 'dead');
  });

  test('a layer without weights (Activation, Dropout) is shown as such, neither frozen nor trainable, and not counted', async () => {
    const snap = transferFrozen();
    const last = snap.model.layers[snap.model.layers.length - 1];
    snap.model.layers.push({ ...last, name: 'head_act', className: 'Activation', index: last.index + 1, trainable: true, hasWeights: false, reused: false, params: { trainable: 0, nonTrainable: 0 } });
    await render(page, 'weightless', snap);
    const host = page.locator('#host-weightless');
    const row = host.locator('.gs-layer[data-layer="head_act"]');
    assert.equal(await row.locator('.gs-layer-state').innerText(), '· no weights');
    assert.equal(await row.locator('.gs-layer-params').innerText(), 'no weights');
    assert.match(await host.locator('.gs-section-frozen .gs-note').first().innerText(), /2 of 7 layers with weights trainable/);
  });

  test('transfer learning: frozen reused base vs trainable head, not by colour alone, with param counts', async () => {
    const snap = transferFrozen();
    await render(page, 'transfer', snap);
    const host = page.locator('#host-transfer');
    const base = host.locator('.gs-base');
    assert.match(await base.innerText(), /reused base/);
    assert.equal(await base.locator('.gs-layer').count(), 5);
    const states = await host.locator('.gs-layer .gs-layer-state').allInnerTexts();
    assert.deepEqual(states, snap.model.layers.map((l) => (l.trainable ? '✎ trainable' : '❄ frozen')));
    const bg = await host.locator('.gs-layer-frozen').first().evaluate((e) => getComputedStyle(e).backgroundImage);
    assert.match(bg, /repeating-linear-gradient/);
    const params = await host.locator('.gs-layer .gs-layer-params').allInnerTexts();
    snap.model.layers.forEach((l, i) => {
      const total = l.params.trainable + l.params.nonTrainable;
      assert.equal(num(params[i].split(' params')[0]), total, params[i]);
    });
    assert.match(await host.locator('.gs-section-frozen .gs-note').first().innerText(), /2 of 7 layers with weights trainable/);
    await shot('transfer-dark', 'transfer');
  });

  test('malformed payloads show a short error, never a blank or a throw', async () => {
    for (const [i, m] of malformed().entries()) {
      await render(page, `bad${i}`, m.payload);
      const msg = await page.locator(`#host-bad${i}`).innerText();
      assert.match(msg, /^Gradscope cannot show this gradient-health output: /, m.name);
      assert.match(msg, m.expect, m.name);
    }
    await render(page, 'badjson', null, { badJson: true });
    assert.match(await page.locator('#host-badjson').innerText(), /not valid JSON/);
    assert.deepEqual(errors, []);
  });

  test('live update of the same run keeps the canvases; a new run or dispose replaces them', async () => {
    const full = vanishingSigmoid();
    const cut = (n: number) => {
      const s = structuredClone(full);
      const trim = (x: { step: number[]; value: unknown[] }) => { const k = x.step.filter((t) => t <= n).length; x.step.length = k; x.value.length = k; };
      trim(s.training.lr); trim(s.training.loss);
      for (const l of s.layers) { trim(l.sensitivityRms); trim(l.sensitivityMax); trim(l.gradNorm); trim(l.updateRatio); for (const v of Object.values(l.saturation ?? {})) trim(v!); }
      s.progress.step = n;
      return s;
    };
    await render(page, 'live', cut(300));
    const host = page.locator('#host-live');
    await host.locator('canvas').evaluateAll((cs) => cs.forEach((c, i) => ((c as any).gsMark = i)));
    const before = await host.locator('canvas').count();
    await host.locator('.gs-section-lr .gs-table-toggle').click();
    await host.locator('.gs-section-lr .gs-table-wrap').evaluate((e) => { e.scrollTop = 120; });
    assert.match(await host.locator('.gs-header').innerText(), /step 300\/1\s?000/);
    await render(page, 'live', cut(600));
    assert.equal(await host.locator('.gs-section-lr .gs-table-wrap').evaluate((e) => e.scrollTop), 120, 'table scroll kept');
    assert.match(await host.locator('.gs-header').innerText(), /step 600\/1\s?000/);
    const marks = await host.locator('canvas').evaluateAll((cs) => cs.map((c) => (c as any).gsMark));
    assert.equal(marks.length, before);
    assert.ok(marks.every((m, i) => m === i), `canvases re-created: ${marks}`);
    // The visible table follows the update.
    const lastStep = await host.locator('.gs-section-lr tbody tr').last().locator('th').innerText();
    assert.equal(lastStep, '600');
    await render(page, 'live', { ...cut(600), runId: 'another-run' });
    const after = await host.locator('canvas').evaluateAll((cs) => cs.map((c) => (c as any).gsMark));
    assert.ok(after.every((m) => m === undefined), 'a new run gets a new panel');
    await page.evaluate(() => (window as any).gsDispose('live'));
    assert.equal(await host.locator('.gs-panel').count(), 0);
  });

  test('keyboard: toggles are focusable buttons with a visible focus ring', async () => {
    await render(page, 'kbd', healthy());
    const toggle = page.locator('#host-kbd .gs-section-saturation .gs-table-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#host-kbd .gs-section-saturation table').isVisible(), true);
    await page.keyboard.press('Space');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const outline = await toggle.evaluate((e) => { const cs = getComputedStyle(e); return `${cs.outlineStyle} ${cs.outlineColor}`; });
    // The theme's focus border (Dark Modern #0078d4), not the browser default ring.
    assert.equal(outline, 'solid rgb(0, 120, 212)');
  });

  test('with renderer messaging, Apply posts the fix to the host', async () => {
    const snap = deadRelu();
    await render(page, 'msg', snap, { api: 'messaging' });
    const host = page.locator('#host-msg');
    await host.locator('.gs-badge').click();
    await host.locator('button.gs-apply').first().click();
    const posted = await page.evaluate(() => (window as any).gsPosted);
    assert.deepEqual(posted, [{ type: 'gradscope.applyFix', runId: snap.runId, findingIndex: 0, fix: snap.findings[0].fixes[0], code: 'dead-relu', layers: snap.findings[0].layers }]);
  });

  test('a theme switch recolours the charts in place', async () => {
    const p = await openPage(h, 'dark');
    await render(p.page, 'theme', deadRelu());
    const bars = p.page.locator('#host-theme .gs-section-saturation canvas').first();
    await p.page.locator('#host-theme canvas').evaluateAll((cs) => cs.forEach((c, i) => ((c as any).gsMark = i)));
    // Count pixels of exactly the theme's --vscode-charts-red: the dead-unit bars are filled with it.
    const count = (hex: string) => bars.evaluate((c: HTMLCanvasElement, hx) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hx.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] === 255) n++;
      return n;
    }, hex);
    const darkRed = THEMES.dark.vars['charts-red'], lightRed = THEMES.light.vars['charts-red'];
    assert.ok(await count(darkRed) > 100, 'dark bars drawn');
    await p.page.evaluate((vars) => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
      document.body.className = 'vscode-light';
    }, THEMES.light.vars as Record<string, string>);
    await p.page.waitForFunction(() => true);
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    assert.equal(await count(darkRed), 0);
    assert.ok(await count(lightRed) > 100, 'light bars drawn');
    const marks = await p.page.locator('#host-theme canvas').evaluateAll((cs) => cs.map((c) => (c as any).gsMark));
    assert.ok(marks.every((m, i) => m === i), 'canvases kept');
    assert.deepEqual(p.errors, []);
    await p.page.close();
  });

  test('dark, light and high-contrast themes render without errors (screenshots)', async () => {
    for (const theme of ['dark', 'light', 'hc'] as const) {
      const p = await openPage(h, theme);
      // The README's picture (media/health-panel.png is a copy of panel-dark.png): the vanishing run
      // with its finding expanded and the heatmap showing the fade toward the input.
      await render(p.page, 'panel', vanishingSigmoid());
      await p.page.locator('#host-panel .gs-badge').first().click();
      await p.page.locator('#host-panel').getByRole('button', { name: /heatmap/i }).click();
      await p.page.locator('#host-panel').screenshot({ path: join(ARTIFACTS, `panel-${theme}.png`) });
      await render(p.page, 'vanishing', vanishingSigmoid());
      await render(p.page, 'transfer', transferFrozen());
      const fg = await p.page.locator('.gs-panel').first().evaluate((e) => getComputedStyle(e).color);
      assert.equal(fg, { dark: 'rgb(204, 204, 204)', light: 'rgb(59, 59, 59)', hc: 'rgb(255, 255, 255)' }[theme]);
      await p.page.locator('#host-vanishing').screenshot({ path: join(ARTIFACTS, `vanishing-${theme}.png`) });
      await p.page.locator('#host-transfer').screenshot({ path: join(ARTIFACTS, `transfer-${theme}.png`) });
      assert.deepEqual(p.errors, []);
      await p.page.close();
    }
  });
});
