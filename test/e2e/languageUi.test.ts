/**
 * What a user sees of the notebook language service in the browser workbench, before running
 * anything: cells coloured as TypeScript (their own language id embeds VS Code's TypeScript grammar),
 * and a red squiggle under the type error of the second cell, which uses a name from the first.
 * Saves a screenshot to .test-cache/artifacts/e2e/language-ui.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNotebook, screenshot, startUiSession, type UiSession } from './harness/workbench';

describe('TypeScript cells in the browser workbench', () => {
  let ui: UiSession | undefined;
  before(async () => {
    ui = await startUiSession(['language.tfnb']);
  });
  after(() => ui?.stop());

  test('cells are coloured as TypeScript and a type error is squiggled before running', { timeout: 300_000 }, async () => {
    const page = await ui!.open();
    try {
      await openNotebook(page, 'language.tfnb');
      const editors = page.locator('.notebook-editor .cell-editor-container .monaco-editor');
      await editors.nth(1).waitFor({ timeout: 60_000 });
      // `import` (keyword), `tf` (name) and the string are tokens of different colours.
      const firstLine = editors.nth(0).locator('.view-line').first();
      await firstLine.locator('span[class*="mtk"]').first().waitFor({ timeout: 30_000 });
      let classes: string[] = [];
      for (let i = 0; i < 60 && new Set(classes).size < 3; i++) {
        classes = await firstLine.locator('span > span').evaluateAll((spans) => spans.map((s) => s.className));
        await page.waitForTimeout(500);
      }
      assert.ok(new Set(classes).size >= 3, `the import line has ${new Set(classes).size} token colours (${classes.join(' ')}): not highlighted as TypeScript`);
      // The squiggle comes from the language worker; the first program takes a while on a busy machine.
      await editors.nth(1).locator('.squiggly-error').first().waitFor({ timeout: 120_000 });
      assert.equal(await editors.nth(0).locator('.squiggly-error').count(), 0, 'the imports cell has no error');
    } finally {
      await screenshot(page, 'language-ui');
    }
  });
});
