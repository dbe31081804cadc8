/**
 * Run against the installed vsix (test/e2e/package.test.ts), before the smoke suite: proves that the
 * Gradscope VS Code loads is the packaged one, not the repository.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './notebooks';

describe('Gradscope installed from its vsix', () => {
  it('is the installed extension and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    assert.match(ext.extensionPath, /[\\/]extensions[\\/]gradscope\.gradscope-\d+\.\d+\.\d+$/);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });
});
