/**
 * The comparison view in a real headless Chromium: a comparison output shows a legend entry and a
 * curve in the run's own colour per run on the loss and profile charts, the findings of each run and
 * only the options that differ (values that differ from the first run's highlighted); a panel with
 * renderer messaging asks the host for its comparison offers, shows the buttons the answer allows,
 * posts the user's choice and draws the comparison the host sends under the panel.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { COMPARE_MIME, runColor } from '../../../src/protocol/runs';
import { comparison } from './fixtures/compare';
import { healthy } from './fixtures/scenarios';
import { ARTIFACTS, openPage, render, startHarness, type Harness } from './harness';

let h: Harness;
let page: Page;
let errors: string[];

before(async () => {
  h = await startHarness();
  ({ page, errors } = await openPage(h));
});
after(async () => {
  await h?.close();
});

/** Pixels of each colour (within a small distance, for anti-aliasing) on a canvas. */
function colourPixels(selector: string, colours: string[]): Promise<number[]> {
  return page.evaluate(([sel, cs]) => {
    const canvas = document.querySelector(sel) as HTMLCanvasElement | null;
    if (!canvas) return cs.map(() => -1);
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

describe('comparison view', () => {
  test('three runs: legend, one curve per run on the loss and profile charts, findings per run, the differing options highlighted', async () => {
    const payload = comparison(3);
    await render(page, 'cmp3', payload, { mime: COMPARE_MIME });
    const host = page.locator('#host-cmp3');
    assert.deepEqual(await host.locator('.gs-compare-label').allInnerTexts(), ['sigmoid 1 (finished)', 'relu 2 (finished)', 'selu 3 (finished)']);
    const colours = [0, 1, 2].map(runColor);
    for (const chart of ['loss', 'epochs', 'profile']) {
      const px = await colourPixels(`#host-cmp3 .gs-compare-${chart} canvas`, colours);
      for (const [i, n] of px.entries()) assert.ok(n > 100, `${chart} chart: run ${i + 1}'s colour covers ${n} pixels`);
    }
    // The profile chart's y axis spans the sigmoid run's fall: 0.25^10 ≈ 1e-6 of the output side.
    const runs = await host.locator('.gs-compare-run').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.equal(runs.length, 3);
    assert.ok(runs.every((t) => /No findings\./.test(t)));
    const rows = await host.locator('.gs-diff-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      option: tr.getAttribute('data-option'),
      cells: [...tr.querySelectorAll('td')].map((td) => ({ text: td.textContent, diff: td.classList.contains('gs-diff') })),
    })));
    assert.deepEqual(rows.map((r) => r.option), ['activations', 'initializers']);
    assert.deepEqual(rows[0].cells, [
      { text: 'sigmoid ×10, sigmoid', diff: false }, { text: 'relu ×10, sigmoid', diff: true }, { text: 'selu ×10, sigmoid', diff: true },
    ]);
    assert.match(await host.locator('.gs-common-options').innerText(), /optimizer sgd · learning rate 0\.1/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await host.screenshot({ path: join(ARTIFACTS, 'compare-3.png') });
    assert.deepEqual(errors, []);
  });

  test('a finding of one run shows under that run only; a failed run shows its error', async () => {
    const payload = comparison(2);
    payload.runs[0].findings = [{ code: 'vanishing-gradient', severity: 'warning', message: 'sensitivity falls 1e6× from dense_11 to dense_1' }];
    payload.runs[1].status = 'failed';
    payload.runs[1].error = 'gs.fit: the loss became NaN at step 12';
    await render(page, 'cmp2', payload, { mime: COMPARE_MIME });
    const runs = page.locator('#host-cmp2 .gs-compare-run');
    assert.deepEqual(await runs.nth(0).locator('.gs-finding').evaluateAll((e) => e.map((x) => x.getAttribute('data-code'))), ['vanishing-gradient']);
    assert.equal(await runs.nth(1).locator('.gs-finding').count(), 0);
    assert.match(await runs.nth(1).innerText(), /loss became NaN at step 12/);
  });

  test('a malformed comparison shows what is wrong instead of a blank output', async () => {
    await render(page, 'cmpbad', { version: 1, runs: [{ runId: 'a', label: 'x', status: 'finished', loss: { step: [1], value: [] } }] }, { mime: COMPARE_MIME });
    assert.match(await page.locator('#host-cmpbad').innerText(), /cannot show this comparison: runs\[0\]\.loss: step and value have different lengths/);
  });

  test('the panel asks the host for offers, shows "compare with the run before the fix", posts the choice and draws the answer under the panel', async () => {
    const snap = healthy();
    await render(page, 'panelcmp', snap, { api: 'host' });
    const posted = () => page.evaluate(() => (window as unknown as { gsPosted: unknown[] }).gsPosted);
    assert.deepEqual((await posted()).filter((m) => (m as { type: string }).type === 'gradscope.compareOffers'), [{ type: 'gradscope.compareOffers', runId: snap.runId }]);
    const bar = page.locator('#host-panelcmp .gs-compare-bar');
    assert.equal(await bar.isVisible(), false, 'no bar before the host offers anything');
    await page.evaluate((runId) => (window as unknown as { gsHostSends(m: unknown): void }).gsHostSends({
      type: 'gradscope.compareOffer', runId, others: 2, beforeFix: { runId: 'run-before', label: 'run 1', fix: 'Switch sigmoid → ReLU (He init)' },
    }), snap.runId);
    assert.deepEqual(await bar.locator('button').allInnerTexts(), ['Compare with the run before the fix', 'Compare with…']);
    await bar.locator('.gs-compare-before-fix').click();
    await bar.locator('.gs-compare-with').click();
    const asks = (await posted()).filter((m) => (m as { type: string }).type === 'gradscope.compareWith');
    assert.deepEqual(asks, [{ type: 'gradscope.compareWith', runId: snap.runId, with: 'run-before' }, { type: 'gradscope.compareWith', runId: snap.runId }]);
    await page.evaluate(([runId, payload]) => (window as unknown as { gsHostSends(m: unknown): void }).gsHostSends({
      type: 'gradscope.comparison', runId, title: 'This run vs the run before the fix', payload,
    }), [snap.runId, comparison(2)] as const);
    assert.equal(await page.locator('#host-panelcmp .gs-panel .gs-compare-bar .gs-compare-title').innerText(), 'This run vs the run before the fix');
    assert.equal(await page.locator('#host-panelcmp .gs-compare-label').count(), 2);
    // Another run's offer does not land on this panel.
    await page.evaluate(() => (window as unknown as { gsHostSends(m: unknown): void }).gsHostSends({ type: 'gradscope.compareOffer', runId: 'someone-else', others: 0 }));
    assert.equal(await bar.locator('button').count(), 2);
    assert.deepEqual(errors, []);
  });

  test('without two-way renderer messaging the panel has no comparison bar', async () => {
    await render(page, 'panelplain', healthy());
    await render(page, 'panelpost', { ...healthy(), runId: 'post-only' }, { api: 'messaging' });
    assert.equal(await page.locator('#host-panelplain .gs-compare-bar, #host-panelpost .gs-compare-bar').count(), 0);
  });
});
