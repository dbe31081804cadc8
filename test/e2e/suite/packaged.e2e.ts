/**
 * Run against the installed vsix (test/e2e/package.test.ts), before the smoke suite: proves that the
 * Gradscope VS Code loads is the packaged one, not the repository.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { measure } from './measure';
import { EXTENSION_ID } from './notebooks';

describe('Gradscope installed from its vsix', () => {
  it('is the installed extension and activates', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    assert.match(ext.extensionPath, /[\\/]extensions[\\/]gradscope\.gradscope-\d+\.\d+\.\d+$/);
    const wasActive = ext.isActive;
    const started = performance.now();
    await ext.activate();
    // Loading dist/extension.js plus activate(); VS Code pays it on every notebook it opens first.
    measure(this.test, wasActive ? 'activation: already active' : `activation: ${(performance.now() - started).toFixed(1)} ms (target ≤ 50 ms)`);
    assert.equal(ext.isActive, true);
  });
});
