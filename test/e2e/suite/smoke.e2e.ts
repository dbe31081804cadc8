/**
 * Smoke test in a real VS Code: open a `.tfnb`, run its cells with the Gradscope kernel and check
 * what the user would see in each cell's output. The workspace holds a copy of ../fixtures/smoke.tfnb.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateAndTime, describeActivation } from './activation';
import { measure } from './measure';
import { EXTENSION_ID, openNotebook, outputText, runAllAndWait } from './notebooks';

describe('Gradscope smoke test', () => {
  it('activates the extension from the notebook type', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in this VS Code`);
    // VS Code pays this on every notebook it opens first.
    measure(this.test, describeActivation(await activateAndTime(ext)));
    assert.equal(ext.isActive, true);
  });

  it('runs cells with shared state, top-level await and a mapped error', async () => {
    const doc = await openNotebook('smoke.tfnb');
    assert.equal(doc.notebookType, 'gradscope');
    const cells = await runAllAndWait(doc);
    const [first, second, third] = cells;
    assert.equal(first.executionSummary?.success, true, `cell 1 failed:\n${outputText(first)}`);
    assert.equal(second.executionSummary?.success, true, `cell 2 failed:\n${outputText(second)}`);
    assert.match(outputText(second), /hello from cell 1, after 3 awaits/);
    assert.equal(third.executionSummary?.success, false, 'cell 3 throws, so its run must fail');
    const error = outputText(third);
    assert.match(error, /learning rate must be positive, got -0\.1/);
    assert.match(error, /Cell 3, line 3\b/);
    assert.ok((first.executionSummary?.executionOrder ?? 0) < (second.executionSummary?.executionOrder ?? 0),
      'execution order numbers follow the run order');
  });
});
