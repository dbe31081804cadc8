/**
 * Workspace trust (issue 2): run in a code-server started with workspace trust on, whose folder was
 * never trusted, so the window is in restricted mode. The Gradscope kernel must refuse to run a cell
 * and say why, instead of executing the notebook's code.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runCell } from './cells';
import { CONTROLLER_ID, EXTENSION_ID, openNotebook, outputText } from './notebooks';

describe('Gradscope in an untrusted workspace', function () {
  this.timeout(120_000);

  it('opens the notebook but refuses to run its cells, saying why', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs a window in restricted mode (code-server without --disable-workspace-trust)');
    const doc = await openNotebook('smoke.tfnb');
    assert.equal(doc.notebookType, 'gradscope');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
    const cell = await runCell(doc, 0, 60_000);
    assert.equal(cell.executionSummary?.success, false, 'a cell must not run in an untrusted workspace');
    const text = outputText(cell);
    assert.match(text, /untrusted workspace/i);
    assert.match(text, /trust this folder/i, 'the message says how to run the cells');
  });
});
