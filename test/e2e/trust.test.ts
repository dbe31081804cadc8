/**
 * Workspace trust in the browser workbench: code-server started with workspace trust on opens a
 * never-trusted folder in Restricted Mode. The folder carries code that would run if a kernel started:
 * `.vscode/settings.json` sets `gradscope.kernel.nodeOptions` to `--require ./evil.js` and
 * `gradscope.kernel.node` to a planted executable, and
 * `node_modules/@tensorflow/tfjs-node/index.js` is what backend selection would load. Each writes a
 * marker file. Restart Kernel from the notebook toolbar and from the palette (also on an .ipynb), Interrupt, and Run All
 * (VS Code asks for trust; answered Cancel) start nothing: no marker, no cell output, and the restart
 * says why. Trusting the folder then lets the same Run All run, and the markers appear, which shows
 * that the planted code was live all along; a setting the running kernel started with then changes,
 * and Gradscope asks to restart the kernel to apply it. (A UI test: VS Code refuses to show its trust dialog in
 * an extension-test window.) Screenshots: .test-cache/artifacts/e2e/untrusted-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  allFrames, openNotebook, pickKernelIfAsked, runAll, runCommand, screenshot, startUiSession, waitForOutputText, type UiSession,
} from './harness/workbench';

const CELL_2_OUTPUT = 'hello from cell 1, after 3 awaits';
const REFUSAL = /Gradscope runs no code in an untrusted workspace \(Restricted Mode\): no kernel was started/;

async function anyFrameShows(page: Page, text: string): Promise<boolean> {
  for (const frame of allFrames(page)) {
    if ((await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')).includes(text)) return true;
  }
  return false;
}

/** Plants workspace code that writes `marker-*` files into `folder` when a kernel would run it. */
function plantWorkspaceCode(folder: string): { nodeOptions: string; tfjsNode: string; node: string } {
  const nodeOptions = join(folder, 'marker-nodeoptions');
  const tfjsNode = join(folder, 'marker-tfjs-node');
  const node = join(folder, 'marker-node');
  mkdirSync(join(folder, '.vscode'));
  // A "node" of the workspace's own: it leaves a marker, then runs the real one.
  const fakeNode = join(folder, 'bin', 'node');
  mkdirSync(join(folder, 'bin'));
  writeFileSync(fakeNode, `#!/bin/sh\necho ran > ${JSON.stringify(node)}\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
  writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings(fakeNode), null, 2));
  writeFileSync(join(folder, 'evil.js'), `require('fs').writeFileSync(${JSON.stringify(nodeOptions)}, 'ran in ' + process.pid);\n`);
  const pkg = join(folder, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(tfjsNode)}, 'ran in ' + process.pid);\nthrow new Error('planted tfjs-node');\n`);
  return { nodeOptions, tfjsNode, node };
}

/** The planted settings: Node options that load evil.js, and the workspace's own node executable. */
function workspaceSettings(fakeNode: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'gradscope.kernel.nodeOptions': '--require ./evil.js', 'gradscope.kernel.node': fakeNode, ...more };
}

/** Waits for a notification toast whose text matches `pattern`; returns its text. */
async function notification(page: Page, pattern: RegExp): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: 20_000 });
  return toast.innerText();
}

describe('Gradscope in an untrusted workspace', () => {
  let ui: UiSession | undefined;
  let markers: { nodeOptions: string; tfjsNode: string; node: string };
  before(async () => {
    ui = await startUiSession(['smoke.tfnb'], { workspaceTrust: true });
    markers = plantWorkspaceCode(ui.folder);
    writeFileSync(join(ui.folder, 'plain.ipynb'), JSON.stringify({
      cells: [{ cell_type: 'code', execution_count: null, id: 'c1', metadata: {}, outputs: [], source: ['1 + 1'] }],
      metadata: { language_info: { name: 'typescript' } }, nbformat: 4, nbformat_minor: 5,
    }, null, 1));
  });
  after(() => ui?.stop());

  test('restart (toolbar, palette), interrupt and Run All start no kernel and run no workspace code until trusted', { timeout: 300_000 }, async () => {
    const page = await ui!.open();
    const noMarkers = (when: string) => {
      assert.equal(existsSync(markers.nodeOptions), false, `${when}: the workspace's --require nodeOptions ran`);
      assert.equal(existsSync(markers.tfjsNode), false, `${when}: the workspace's node_modules/@tensorflow/tfjs-node was loaded`);
      assert.equal(existsSync(markers.node), false, `${when}: the workspace's gradscope.kernel.node executable ran`);
    };
    try {
      await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor({ timeout: 30_000 });
      await openNotebook(page, 'smoke.tfnb');

      // Restart Kernel from the notebook toolbar.
      const toolbarRestart = page.locator('.notebook-toolbar-container [aria-label*="Restart Kernel"]').first();
      await toolbarRestart.waitFor({ state: 'visible', timeout: 15_000 });
      await toolbarRestart.click();
      // Without the refusal, say first whether the planted code ran (a kernel starts within seconds).
      const refused = await notification(page, REFUSAL).catch((e: Error) => {
        noMarkers('after Restart Kernel from the toolbar, which showed no refusal');
        throw e;
      });
      assert.match(refused, /Manage Workspace Trust/);
      await screenshot(page, 'untrusted-toolbar-restart');
      await runCommand(page, 'Notifications: Clear All Notifications');

      // Restart and Interrupt from the command palette.
      await runCommand(page, 'Gradscope: Restart Kernel');
      await notification(page, REFUSAL);
      await runCommand(page, 'Gradscope: Interrupt Kernel');
      await runCommand(page, 'Notifications: Clear All Notifications');

      // The same for a Jupyter notebook, which Gradscope's .ipynb controller serves.
      await openNotebook(page, 'plain.ipynb');
      await runCommand(page, 'Gradscope: Restart Kernel');
      await notification(page, REFUSAL);
      await runCommand(page, 'Notifications: Clear All Notifications');
      noMarkers('after Restart Kernel on an .ipynb');
      // Close the .ipynb first (with it open, a notebook editor is on screen before smoke.tfnb's is),
      // then open smoke.tfnb again from the Explorer, as a user would.
      await runCommand(page, 'View: Close All Editors');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'smoke.tfnb' }).first().dblclick();
      await page.locator('.notebook-editor .cell-list-container, .notebookOverlay').first().waitFor({ timeout: 30_000 });

      // Run All: VS Code asks for trust; refused, no cell runs.
      await runAll(page);
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      const asked = await dialog.innerText();
      assert.match(asked, /Do you trust the authors of the files in this folder\?/);
      assert.match(asked, /Executing a notebook cell will run code from this workspace/);
      await screenshot(page, 'untrusted-run-asks-for-trust');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      // Give a kernel that would (wrongly) start plenty of time to run the planted code and show output.
      await new Promise((r) => setTimeout(r, 8000));
      noMarkers('after Restart Kernel (toolbar, palette), Interrupt and a refused Run All');
      assert.equal(await anyFrameShows(page, CELL_2_OUTPUT), false, 'a cell ran although the folder is not trusted');
      await screenshot(page, 'untrusted-refused');

      // Trusted, the same Run All runs, and the planted code now runs too (it was live all along).
      await runAll(page);
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      await dialog.getByRole('button', { name: /Trust Folder & Continue/ }).click();
      await pickKernelIfAsked(page, 'Gradscope');
      await waitForOutputText(page, CELL_2_OUTPUT, 120_000);
      await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(existsSync(markers.nodeOptions), true, 'trusted: the workspace nodeOptions should apply');
      assert.equal(existsSync(markers.tfjsNode), true, 'trusted: backend selection should try the workspace tfjs-node');
      assert.equal(existsSync(markers.node), true, 'trusted: the kernel should run on the workspace\'s gradscope.kernel.node');
      await screenshot(page, 'untrusted-then-trusted');

      // A setting the running kernel started with changes (the workspace's settings file, as a user
      // editing it would): Gradscope asks for a restart, naming the setting and the notebook.
      await runCommand(page, 'Notifications: Clear All Notifications');
      writeFileSync(join(ui!.folder, '.vscode', 'settings.json'), JSON.stringify(
        workspaceSettings(join(ui!.folder, 'bin', 'node'), { 'gradscope.diagnostics.sampleEvery': 7 }), null, 2));
      const prompt = await notification(page, /Restart the kernel to apply/);
      assert.match(prompt, /gradscope\.diagnostics\.sampleEvery changed\. Restart the kernel to apply \(smoke\.tfnb\)/);
      assert.doesNotMatch(prompt, /nodeOptions|kernel\.node/, 'an unchanged setting was named');
      await screenshot(page, 'trusted-setting-changed');
    } catch (e) {
      await screenshot(page, 'untrusted-failure');
      throw e;
    }
  });
});
