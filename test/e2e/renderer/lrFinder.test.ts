/**
 * The learning-rate finder's output in a real headless Chromium, from a real range test (SGD on a
 * linear regression, cpu backend): the suggested rate as a sentence, every reason as a list item, the
 * smoothed curve and the suggestion marker painted on the chart, and a clear message for a bad payload.
 * Screenshot: .test-cache/artifacts/renderer/lr-finder.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { lrFinder } from '../../../src/diagnostics/lrFinder';
import { LR_FINDER_MIME, type LrFinderPayload } from '../../../src/protocol/lrFinder';
import { ARTIFACTS, openPage, render, startHarness, THEMES, type Harness } from './harness';

let h: Harness;
let page: Page;
let errors: string[];
let payload: LrFinderPayload;

before(async () => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([512, 4], 0, 1, 'float32', 1);
  const y = tf.add(tf.matMul(x, tf.tensor2d([[1], [-2], [0.5], [3]])), tf.randomNormal([512, 1], 0, 0.1, 'float32', 2));
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4], kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) })] });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  payload = (await lrFinder(model, x, y, { start: 1e-5, end: 10, steps: 100 })).payload;
  h = await startHarness();
  ({ page, errors } = await openPage(h));
});
after(async () => { await h?.close(); });

/** Opaque pixels of the canvas within 10° of the hue of `hex` (the theme colour of a line or marker). */
function huePixels(hex: string): Promise<number> {
  const [r0, g0, b0] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const mx0 = Math.max(r0, g0, b0), dl0 = mx0 - Math.min(r0, g0, b0);
  const th = ((((mx0 === r0 ? ((g0 - b0) / dl0) % 6 : mx0 === g0 ? (b0 - r0) / dl0 + 2 : (r0 - g0) / dl0 + 4)) * 60) + 360) % 360;
  // (No named inner functions in the page: tsx would wrap them in a helper the page does not have.)
  return page.locator('#host-lr1 .gs-lrfinder canvas').evaluate((c: HTMLCanvasElement, t) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i], g = d[i + 1], b = d[i + 2];
      const mx = Math.max(r, g, b), dl = mx - Math.min(r, g, b);
      if (d[i + 3] < 200 || mx <= 80 || dl / mx <= 0.35) continue;
      const h6 = mx === r ? ((g - b) / dl) % 6 : mx === g ? (b - r) / dl + 2 : (r - g) / dl + 4;
      const x = (h6 * 60 + 360) % 360;
      if (Math.min(Math.abs(x - t), 360 - Math.abs(x - t)) < 10) n++;
    }
    return n;
  }, th);
}

describe('learning-rate finder output', () => {
  test('shows the suggested rate, its reasons and the curve with the markers', async () => {
    assert.ok(payload.suggestion.lr !== undefined);
    await render(page, 'lr1', payload, { mime: LR_FINDER_MIME });
    const headline = await page.locator('.gs-lr-suggestion').innerText();
    const shown = Number(/Suggested learning rate: ([\d.e-]+)/.exec(headline)?.[1]);
    assert.ok(Math.abs(shown - payload.suggestion.lr!) <= 0.01 * payload.suggestion.lr!, `${headline} shows ${payload.suggestion.lr}`);
    assert.match(headline, /steepest descent of the smoothed loss/);
    const reasons = await page.locator('.gs-lr-reasons li').allInnerTexts();
    assert.deepEqual(reasons, payload.suggestion.reason);
    assert.ok(reasons.some((r) => /diverged at/.test(r)));
    const dark = THEMES.dark.vars;
    assert.ok(await huePixels(dark['charts-blue']) > 200, 'the smoothed curve is drawn');
    assert.ok(await huePixels(dark['charts-green']) > 50, 'the suggestion marker is drawn');
    assert.ok(await huePixels(dark['charts-red']) > 50, 'the divergence marker is drawn');
    const ticks = await page.locator('#host-lr1 .gs-lrfinder').innerText();
    assert.match(ticks, /learning rate/);
    await page.locator('#host-lr1 .gs-lrfinder').screenshot({ path: join(ARTIFACTS, 'lr-finder.png') });
    assert.deepEqual(errors, []);
  });

  test('a payload without a suggestion says so; a bad one gets a message, not a blank output', async () => {
    await render(page, 'lr2', { ...payload, suggestion: { method: 'steepest', reason: ['The loss fell by 0 %.'] } }, { mime: LR_FINDER_MIME, host: 'lr2' });
    assert.equal(await page.locator('#host-lr2 .gs-lr-suggestion').innerText(), 'No learning rate suggested');
    await render(page, 'lr3', { ...payload, version: 99 }, { mime: LR_FINDER_MIME, host: 'lr3' });
    assert.match(await page.locator('#host-lr3').innerText(), /unsupported learning-rate finder version 99/);
    assert.deepEqual(errors, []);
  });
});
