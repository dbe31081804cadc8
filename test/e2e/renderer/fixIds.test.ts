/**
 * Fix ids are data from the payload: ids that name Object.prototype members (`__proto__`,
 * `constructor`, `toString`) show as their own text next to the known fixes, and Apply posts them
 * back unchanged, instead of crashing the panel (a lookup in a plain object returned the prototype).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { vanishingSigmoid } from './fixtures/scenarios';
import { openPage, render, startHarness, type Harness } from './harness';

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

test('fix ids such as __proto__ and constructor render as text and post back as they are', async () => {
  const snap = vanishingSigmoid();
  const odd = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  snap.findings[0].fixes = ['activation-relu', ...odd] as typeof snap.findings[0]['fixes'];
  await render(page, 'odd-fixes', snap, { api: 'messaging' });
  const host = page.locator('#host-odd-fixes');
  assert.equal(await host.locator('.gs-error').count(), 0, await host.innerText());
  await host.locator('.gs-badge').first().click();
  const items = await host.locator('.gs-finding-detail').first().locator('ol.gs-fixes li').allInnerTexts();
  assert.deepEqual(items.map((t) => t.replace(/\s*Apply$/, '')), ['Switch sigmoid/tanh → ReLU (He init)', ...odd]);
  await host.locator('.gs-finding-detail').first().locator('button.gs-apply').nth(2).click();
  const posted = await page.evaluate(() => (window as unknown as { gsPosted: { fix: string }[] }).gsPosted);
  assert.deepEqual(posted.map((m) => m.fix), ['constructor']);
  assert.deepEqual(errors, []);
});
