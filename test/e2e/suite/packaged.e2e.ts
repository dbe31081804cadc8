/**
 * Run against the installed vsix (test/e2e/package.test.ts), before the smoke suite: proves that the
 * Gradscope VS Code loads is the packaged one, not the repository.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateAndTime, describeActivation } from './activation';
import { measure } from './measure';
import { EXTENSION_ID } from './notebooks';

describe('Gradscope installed from its vsix', () => {
  it('is the installed extension and activates', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    assert.match(ext.extensionPath, /[\\/]extensions[\\/]gradscope\.gradscope-\d+\.\d+\.\d+$/);
    // VS Code pays this on every notebook it opens first.
    measure(this.test, describeActivation(await activateAndTime(ext)));
    assert.equal(ext.isActive, true);
  });
});
