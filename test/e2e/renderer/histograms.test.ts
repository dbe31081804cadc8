/**
 * The panel's histogram section in a real headless Chromium, on the snapshot of a real gs.fit run
 * (cpu backend): the layer picker lists the layers, the kind toggles switch between weights, weight
 * gradients and activations, the heatmap is painted, the note names the bins and probes, and the
 * table lists the latest frame's shares. A payload without histograms hides the section.
 * Screenshot: .test-cache/artifacts/renderer/histograms.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { fit } from '../../../src/library';
import { healthMonitor } from '../../../src/diagnostics';
import type { HealthSnapshot } from '../../../src/protocol/health';
import { ARTIFACTS, openPage, render, startHarness, type Harness } from './harness';

let h: Harness;
let page: Page;
let errors: string[];
let snap: HealthSnapshot;

before(async () => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([256, 8], 0, 1, 'float32', 1);
  const y = tf.randomNormal([256, 1], 0, 1, 'float32', 2);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 32, activation: 'relu', inputShape: [8], name: 'hidden' }),
    tf.layers.dense({ units: 1, name: 'out' }),
  ] });
  const mon = healthMonitor({ sampleEvery: 2, histogramShare: 1 });
  await fit(model, x, y, { optimizer: tf.train.adam(0.03), loss: 'meanSquaredError', epochs: 8, batchSize: 32, observers: [mon] });
  snap = mon.snapshot();
  h = await startHarness();
  ({ page, errors } = await openPage(h));
});
after(async () => { await h?.close(); });

/** Distinct colours painted in the histogram canvas's plot area (the viridis shades of the bins). */
function shades(): Promise<number> {
  return page.locator('#host-h1 .gs-hist-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}

describe('histogram section', () => {
  test('layer picker, kind toggles, painted heatmap, note and table', async () => {
    await render(page, 'h1', snap);
    const section = page.locator('#host-h1 .gs-section-histograms');
    assert.equal(await section.isVisible(), true);
    assert.deepEqual(await section.locator('select option').allInnerTexts(), ['hidden', 'out']);
    assert.deepEqual(await section.locator('.gs-hist-kinds button').allInnerTexts(), ['weights', 'weight gradients', 'activations']);
    assert.ok(await shades() > 8, 'the bins are painted in several shades');
    const hw = snap.layers[0].histograms!.weights!;
    const note = await section.locator('.gs-note').first().innerText();
    assert.match(note, new RegExp(`^hidden, weights: ${hw.step.length} columns over ${hw.probes.reduce((a, b) => a + b, 0)} probes`));
    assert.match(note, /24 bins from .* fixed at the first probe/);
    await section.screenshot({ path: join(ARTIFACTS, 'histograms.png') });
    await section.locator('.gs-hist-kinds button', { hasText: 'weight gradients' }).click();
    assert.match(await section.locator('.gs-note').first().innerText(), /^hidden, weight gradients:/);
    await section.locator('select').selectOption('out');
    assert.match(await section.locator('.gs-note').first().innerText(), /^out, weight gradients:/);
    await section.getByRole('button', { name: /Show Histograms over time as a table/ }).click();
    const rows = await section.locator('tbody tr').count();
    assert.equal(rows, 24 + 3, 'every bin, under, over and non-finite');
    const shares = (await section.locator('tbody tr td').allInnerTexts()).map((t) => Number(t.replace(/[^\d.e-]/g, '')));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 2, `shares sum to 100 %: ${shares}`);
    assert.deepEqual(errors, []);
  });

  test('a snapshot without histograms hides the section', async () => {
    const plain = { ...snap, runId: 'plain', layers: snap.layers.map(({ histograms: _h, ...l }) => l) };
    await render(page, 'h2', plain);
    assert.equal(await page.locator('#host-h2 .gs-section-histograms').isVisible(), false);
    assert.deepEqual(errors, []);
  });
});
