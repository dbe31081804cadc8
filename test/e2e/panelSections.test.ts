/**
 * The panel's newer sections and the panel's fix buttons as a user meets them in the real VS Code
 * (code-server in headless Chromium), on ../fixtures/panel-sections.tfnb: after Run All, the first run's
 * panel shows validation curves with the early-stop and best-weights markers, the gradient norm before
 * and after clipping with the clip threshold drawn, the batch-norm rows, a log learning-rate axis; the
 * second run's panel names its finding by id, and its "Apply" button edits the model cell two cells up,
 * which VS Code then shows with the edit selected, so Ctrl+Z undoes it there.
 * Screenshots of the sections in the dark and the light theme go to .test-cache/artifacts/e2e/, and
 * into media/ when GRADSCOPE_UPDATE_MEDIA=1 (how the README's pictures are made).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './harness/buildSuite';
import {
  ARTIFACTS_DIR, closePage, openNotebook, pickKernelIfAsked, runAll, screenshot, startUiSession, waitForOutputText, type UiSession,
} from './harness/workbench';

const NOTEBOOK = 'panel-sections.tfnb';

/** What the test reads of one rendered panel, as the page shows it. */
interface PanelView {
  status: string;
  findingIds: string[];
  labels: Record<'epochs' | 'gradnorm' | 'lr', string | null>;
  gradNote: string;
  bnRows: { name: string; mean: string; variance: string; shift: string }[];
  bnVisible: boolean;
  /** Opaque pixels of the theme's red in the gradient-norm chart, and how wide (fraction of the canvas) they spread. */
  red: { n: number; span: number };
  /** The theme's red (`--vscode-charts-red`) the pixels were matched against. */
  redHex: string;
  /** Coloured pixels per chart (the data series; axes and labels are grey). */
  painted: Record<'epochs' | 'gradnorm' | 'lr', number>;
}

/**
 * Reads every gradient-health panel of the page it runs in (shadow roots included). A string, not a
 * function: tsx would wrap named inner functions in a helper the page lacks.
 */
const READ_PANELS = `(() => {
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i].querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  }
  const hex = getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-red').trim();
  const rgb = /^#[0-9a-f]{6}$/i.test(hex) ? [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) : [241, 76, 76];
  const hueOf = (r, g, b) => {
    const mx = Math.max(r, g, b), dl = mx - Math.min(r, g, b);
    if (dl === 0) return -1;
    const h = mx === r ? ((g - b) / dl) % 6 : mx === g ? (b - r) / dl + 2 : (r - g) / dl + 4;
    return (h * 60 + 360) % 360;
  };
  const redHue = hueOf(rgb[0], rgb[1], rgb[2]);
  const redHex = hex.toLowerCase();
  const pixels = (canvas) => (canvas && canvas.width && canvas.height ? canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data : null);
  return roots.flatMap((r) => [...r.querySelectorAll('.gs-panel')]).map((panel) => {
    const q = (s) => panel.querySelector(s);
    const canvasOf = (id) => q('.gs-section-' + id + ' canvas');
    const painted = (id) => {
      const d = pixels(canvasOf(id));
      let n = 0;
      if (d) for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 128 && Math.max(d[k], d[k + 1], d[k + 2]) - Math.min(d[k], d[k + 1], d[k + 2]) > 60) n++;
      return n;
    };
    const red = { n: 0, span: 0 };
    const c = canvasOf('gradnorm');
    const d = pixels(c);
    if (d) {
      let lo = Infinity, hi = -1;
      for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
        const k = (y * c.width + x) * 4;
        const r = d[k], g = d[k + 1], b = d[k + 2], mx = Math.max(r, g, b), dl = mx - Math.min(r, g, b);
        if (d[k + 3] < 200 || mx <= 80 || dl / mx <= 0.35) continue;
        const h = hueOf(r, g, b);
        if (Math.min(Math.abs(h - redHue), 360 - Math.abs(h - redHue)) < 10) { red.n++; lo = Math.min(lo, x); hi = Math.max(hi, x); }
      }
      if (hi >= 0) red.span = (hi - lo) / c.width;
    }
    const section = q('.gs-section-batchnorm');
    return {
      status: q('.gs-status')?.textContent ?? '',
      findingIds: [...panel.querySelectorAll('.gs-badge code.gs-finding-id')].map((e) => e.textContent ?? ''),
      labels: { epochs: canvasOf('epochs')?.getAttribute('aria-label') ?? null, gradnorm: c?.getAttribute('aria-label') ?? null, lr: canvasOf('lr')?.getAttribute('aria-label') ?? null },
      gradNote: [...panel.querySelectorAll('.gs-section-gradnorm .gs-note')].map((e) => e.textContent).join(' '),
      bnRows: [...panel.querySelectorAll('.gs-section-batchnorm .gs-bn-row:not(.gs-bn-head)')].map((r) => ({
        name: r.querySelector('.gs-layer-name')?.textContent ?? '', mean: r.querySelector('.gs-bn-mean')?.textContent ?? '',
        variance: r.querySelector('.gs-bn-var')?.textContent ?? '', shift: r.querySelector('.gs-bn-shift')?.textContent ?? '',
      })),
      bnVisible: !!section && !section.hidden && section.getBoundingClientRect().height > 0,
      red,
      redHex,
      painted: { epochs: painted('epochs'), gradnorm: painted('gradnorm'), lr: painted('lr') },
    };
  });
})()`;

/**
 * Waits until a finished panel that `pick` accepts is rendered; returns its frame (the notebook's
 * output webview) and the panel. VS Code renders the outputs of cells in view only: `scroll`, when
 * given, runs between polls to bring more of the notebook into view.
 */
async function waitForPanel(page: Page, what: string, pick: (p: PanelView) => boolean, timeoutMs: number, scroll?: () => Promise<void>): Promise<{ frame: Frame; panel: PanelView }> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const panels = await (frame.evaluate(READ_PANELS) as Promise<PanelView[]>).catch(() => [] as PanelView[]);
      if (panels.length) seen = panels.map((p) => `${p.status} [${p.findingIds.join(', ')}]`).join('; ');
      const panel = panels.find((p) => p.status === 'finished' && pick(p));
      if (panel) return { frame, panel };
    }
    await scroll?.();
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no finished panel ${what} within ${timeoutMs / 1000} s (panels seen: ${seen || 'none'})`);
}

const withBatchNorm = (p: PanelView) => p.bnRows.length > 0;
const withDeadRelu = (p: PanelView) => p.findingIds.includes('dead-relu');

/** One turn of the mouse wheel over the notebook (over an output, the webview passes it on), `dy` its delta. */
async function scrollNotebook(page: Page, dy = 1200): Promise<void> {
  const box = await page.locator('.notebook-editor .cell-list-container').first().boundingBox();
  if (!box) return;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, dy);
}

/** Scrolls the notebook down by about a screen. */
async function scrollDown(page: Page): Promise<void> {
  for (let k = 0; k < 16; k++) await scrollNotebook(page, 100);
}

/**
 * Scrolls the notebook with the mouse wheel until `target` (an element of the output webview) sits at
 * `at` (a fraction of the editor's height, from the top) within 60 px.
 */
async function scrollTo(page: Page, target: Locator, at: number): Promise<void> {
  const list = page.locator('.notebook-editor .cell-list-container').first();
  for (let i = 0; i < 20; i++) {
    const l = (await list.boundingBox())!;
    const b = await target.boundingBox({ timeout: 2000 }).catch(() => null);
    const dy = b ? b.y - (l.y + at * l.height) : 600;
    if (Math.abs(dy) <= 60) return;
    // One wheel notch moves the notebook a fixed distance (about 50 px here), whatever its delta.
    for (let k = Math.min(40, Math.ceil(Math.abs(dy) / 50)); k > 0; k--) await scrollNotebook(page, Math.sign(dy) * 100);
    // The webview moves its outputs after the list scrolled: let both settle before measuring again.
    await new Promise((r) => setTimeout(r, 800));
  }
  throw new Error(`could not scroll ${target} into view`);
}

/** Text of the notebook's cell editors (monaco renders spaces as no-break spaces). */
function cellTexts(page: Page): Promise<string[]> {
  return page.locator('.notebook-editor .cell-list-container .monaco-list-row .view-lines')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' ')));
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

/** Saves a screenshot of the given sections of the panel that holds them, as NAME.png (and into media/ on request). */
async function sectionShot(frame: Frame, name: string, sections: string[]): Promise<string> {
  const panel = frame.locator('.gs-panel', { has: frame.locator('.gs-section-batchnorm:not([hidden])') }).first();
  const boxes = await Promise.all(sections.map((s) => panel.locator(`.gs-section-${s}`).boundingBox()));
  assert.ok(boxes.every(Boolean), `sections ${sections.join(', ')} are laid out`);
  const page = frame.page();
  // The pointer off the charts: no tooltip over the picture.
  await page.mouse.move(1, 1);
  await new Promise((r) => setTimeout(r, 300));
  const y0 = Math.min(...boxes.map((b) => b!.y)) - 4;
  const y1 = Math.max(...boxes.map((b) => b!.y + b!.height)) + 4;
  const x0 = Math.min(...boxes.map((b) => b!.x)) - 4;
  const x1 = Math.max(...boxes.map((b) => b!.x + b!.width)) + 4;
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, clip: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
  if (process.env.GRADSCOPE_UPDATE_MEDIA === '1') copyFileSync(path, join(REPO_ROOT, 'media', `${name}.png`));
  return path;
}

describe('the panel\'s sections and fix buttons in the browser workbench', () => {
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

  test('validation curves with markers, gradient norms with the clip threshold, batch-norm rows, a log LR axis, the finding id', { timeout: 300_000 }, async () => {
    try {
      const printed = await waitForOutputText(page, /sections run: \d+ epochs, val_loss [\d. ]+/, 240_000);
      const text = await printed.evaluate(() => document.body.innerText);
      const [, epochs, valLoss] = /sections run: (\d+) epochs, val_loss ([\d. ]+\d)/.exec(text)!;
      const { frame, panel: sections } = await waitForPanel(page, 'with batch-norm rows', withBatchNorm, 240_000);
      console.log(`coloured pixels per chart: ${JSON.stringify(sections.painted)}; clip threshold: ${JSON.stringify(sections.red)}`);

      // Validation curves: training and validation loss per epoch, the run stopped early after epoch 2
      // (the callback's minDelta) and put back epoch 1's weights.
      assert.equal(epochs, '2');
      assert.match(sections.labels.epochs ?? '', /training loss, validation loss/);
      assert.match(sections.labels.epochs ?? '', /early stop at epoch 2/);
      assert.match(sections.labels.epochs ?? '', /best weights at epoch 1/);
      assert.ok(sections.painted.epochs > 200, `the epoch chart draws no curves (${sections.painted.epochs} coloured pixels)`);

      // Gradient norms: both curves, and the threshold of globalClipnorm 1 drawn across the chart.
      assert.match(sections.labels.gradnorm ?? '', /before and after clipping, log scale, threshold globalClipnorm 1 \(bounds this norm\)/);
      assert.match(sections.gradNote, /Clipping: globalClipnorm 1/);
      assert.ok(sections.red.n > 40 && sections.red.span > 0.5, `no threshold line across the chart: ${JSON.stringify(sections.red)}`);
      assert.ok(sections.painted.gradnorm > 500, `the gradient-norm chart draws no curves (${sections.painted.gradnorm})`);

      // Batch normalization: one row, the BN layer's batch statistics against its moving averages.
      assert.equal(sections.bnVisible, true);
      assert.equal(sections.bnRows.length, 1);
      assert.match(sections.bnRows[0].name, /batch_normalization/);
      for (const v of [sections.bnRows[0].mean, sections.bnRows[0].variance]) assert.match(v, /^batch \S+ · moving \S+$/);
      assert.match(sections.bnRows[0].shift, /^\S+ σ$/);

      // The rate falls 10× every 13 steps over 26 steps: a log axis.
      assert.match(sections.labels.lr ?? '', /exponential schedule, log scale/);

      // The epoch table shows the validation losses the cell printed.
      const epochSection = frame.locator('.gs-panel .gs-section-epochs', { has: frame.locator('canvas[aria-label*="early stop"]') }).first();
      // The section can sit under the status bar or the next section of the webview, which a click
      // cannot scroll the notebook past (as in compare.test.ts): the click is dispatched on the button.
      await epochSection.locator('.gs-table-toggle').dispatchEvent('click');
      const head = await epochSection.locator('thead th').allInnerTexts();
      const col = head.indexOf('validation loss');
      assert.ok(col >= 0, `epoch table columns: ${head.join(', ')}`);
      const rows = await epochSection.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')));
      // The table prints three significant digits; the cell printed three decimals.
      const shown = rows.map((r) => Number(r[col]));
      const printedLoss = valLoss.split(' ').map(Number);
      assert.equal(shown.length, printedLoss.length, `one row per epoch: ${shown.join(' ')}`);
      shown.forEach((v, i) => assert.ok(Math.abs(v - printedLoss[i]) <= 0.006 * printedLoss[i], `epoch ${i + 1}: table ${v}, history.val_loss ${printedLoss[i]}`));
      assert.equal(rows.at(-1)!.at(-1), 'early stop');
      await epochSection.locator('.gs-table-toggle').dispatchEvent('click');

      // Screenshots of the sections in the dark and the light theme, set as a user sets them (a workspace
      // setting); the charts re-read the theme's colours, so the threshold's red is each theme's own.
      const sectionsPanel = frame.locator('.gs-panel', { has: frame.locator('.gs-section-batchnorm:not([hidden])') }).first();
      for (const [theme, name, cls] of [['Default Dark Modern', 'dark', '.vs-dark'], ['Default Light Modern', 'light', '.vs:not(.vs-dark)']] as const) {
        mkdirSync(join(ui!.folder, '.vscode'), { recursive: true });
        writeFileSync(join(ui!.folder, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': theme }));
        await until(`the ${name} theme`, () => page.locator(`.monaco-workbench${cls}`).count().then((n) => n > 0), 30_000);
        const red = name === 'dark' ? '#f14c4c' : '#e51400';
        const themed = await waitForPanel(page, `in ${name} colours`, (p) => withBatchNorm(p) && p.redHex === red && p.red.n > 40, 30_000);
        assert.ok(themed.panel.red.span > 0.5, `${name}: the threshold line spans ${themed.panel.red.span} of the chart`);
        await scrollTo(page, sectionsPanel.locator('.gs-section-gradnorm'), 0.02);
        await sectionShot(themed.frame, `panel-sections-${name}`, ['gradnorm', 'batchnorm', 'lr', 'epochs']);
      }

      // Further down, the dead run's panel: its finding by id, a constant rate, no batch-norm rows.
      const { panel: dead } = await waitForPanel(page, 'naming dead-relu', withDeadRelu, 120_000, () => scrollDown(page));
      assert.match(dead.labels.lr ?? '', /constant at 0\.001/);
      assert.deepEqual([dead.bnRows.length, dead.bnVisible], [0, false]);
    } catch (e) {
      await screenshot(page, 'panel-sections-failure');
      throw e;
    }
  });

  test('the panel\'s "Apply" edits the model cell two cells up: revealed, the edit selected, Ctrl+Z undoes it', { timeout: 120_000 }, async () => {
    try {
      const before = "tf.layers.dense({ units: 32, activation: 'relu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }) }),";
      const edited = "tf.layers.dense({ units: 32, activation: 'elu', inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }) }),";
      await page.setViewportSize({ width: 1400, height: 800 });
      const { frame } = await waitForPanel(page, 'naming dead-relu', withDeadRelu, 60_000, () => scrollDown(page));
      const panel = frame.locator('.gs-panel', { has: frame.locator('code.gs-finding-id', { hasText: 'dead-relu' }) }).first();
      const badge = panel.locator('button.gs-badge', { has: frame.locator('code.gs-finding-id', { hasText: 'dead-relu' }) }).first();
      const apply = panel.locator('button.gs-apply[data-fix="activation-elu"]').first();
      const modelCell = page.locator('.notebook-editor .cell-list-container .monaco-list-row', { hasText: 'const deadModel' }).first();
      const list = page.locator('.notebook-editor .cell-list-container').first();
      const inView = async () => {
        const box = await modelCell.boundingBox({ timeout: 1000 }).catch(() => null);
        const l = await list.boundingBox();
        return !!box && !!l && box.y + box.height > l.y && box.y < l.y + l.height;
      };
      const bringIntoView = (target: typeof badge) => scrollTo(page, target, 0.4);
      await bringIntoView(badge);
      await badge.click();
      await apply.waitFor({ state: 'visible', timeout: 10_000 });
      await bringIntoView(apply);
      assert.equal(await inView(), false, 'the model cell is off screen when the user clicks Apply');
      await screenshot(page, 'panel-apply-before');
      await apply.click();

      await until('the ELU edit in the model cell', async () => (await cellTexts(page)).some((t) => t.includes(edited)));
      await until('the model cell in view', inView, 10_000);
      // The model cell's editor has the focus and the edit selected: the characters of its layer line
      // that lie under the selection's highlight.
      let lastSeen = '';
      const selected = await until('the edit selected in the model cell', async () => {
        const seen = await modelCell.evaluate((row) => {
          const editor = row.querySelector('.monaco-editor');
          const sel = row.querySelector('.view-overlays .selected-text');
          if (!editor || !sel) return { focused: !!editor?.classList.contains('focused'), line: '', text: '' };
          const r = sel.getBoundingClientRect();
          const y = r.top + r.height / 2;
          const line = Array.from(row.querySelectorAll('.view-line')).find((l) => l.getBoundingClientRect().top <= y && l.getBoundingClientRect().bottom >= y);
          let text = '';
          const walker = document.createTreeWalker(line ?? row, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n && line; n = walker.nextNode()) {
            for (let i = 0; i < (n.textContent ?? '').length; i++) {
              const range = document.createRange();
              range.setStart(n, i);
              range.setEnd(n, i + 1);
              const b = range.getBoundingClientRect();
              if (b.left + b.width / 2 > r.left && b.left + b.width / 2 < r.right) text += n.textContent![i];
            }
          }
          return { focused: editor.classList.contains('focused'), line: line?.textContent ?? '', text };
        }).catch((e: Error) => ({ focused: false, line: '', text: `(${e.message})` }));
        lastSeen = JSON.stringify(seen);
        const nbsp = (t: string) => t.replace(/\u00a0/g, ' ');
        return seen.focused && nbsp(seen.line).includes("activation: 'elu'") && seen.text ? nbsp(seen.text) : undefined;
      }, 10_000).catch((e: Error) => { throw new Error(`${e.message}; last seen ${lastSeen}`); });
      // src/fixes/activationFixes.ts replaces the activation's string literal.
      assert.equal(selected, "'elu'");
      await screenshot(page, 'panel-apply-after');
      await page.keyboard.press('Control+Z');
      await until('the undo to restore the ReLU layer', async () => {
        const texts = await cellTexts(page);
        return texts.some((t) => t.includes(before)) && !texts.some((t) => t.includes(edited));
      }, 10_000);
    } catch (e) {
      await screenshot(page, 'panel-apply-failure');
      throw e;
    }
  });
});
