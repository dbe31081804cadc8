/**
 * The kernel's life cycle as a user drives it from VS Code: state shared across cells,
 * Interrupt and Restart from their commands, a cell that kills the kernel process, and the error
 * squiggle on the line that threw. The workspace holds a copy of ../fixtures/kernel.tfnb, whose cells
 * run one at a time here, in the order of the tests.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cellIndexOf, runCell, startCell, waitForCell, waitUntilRunning } from './cells';
import { CONTROLLER_ID, EXTENSION_ID, openNotebook, outputText } from './notebooks';

describe('the Gradscope kernel from VS Code commands', function () {
  this.timeout(180_000);
  let doc: vscode.NotebookDocument;
  const cell = (snippet: string) => cellIndexOf(doc, snippet);

  before(async () => {
    doc = await openNotebook('kernel.tfnb');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
  });

  it('keeps a variable across cells', async () => {
    const set = await runCell(doc, cell('let counter = 41'));
    assert.equal(set.executionSummary?.success, true, outputText(set));
    const use = await runCell(doc, cell('counter += 1'));
    assert.equal(use.executionSummary?.success, true, outputText(use));
    assert.match(outputText(use), /counter is 42/);
  });

  it('Gradscope: Interrupt Kernel stops `while (true) {}` and the variables survive', async () => {
    const loop = cell('while (true) {}');
    const before = await startCell(doc, loop);
    await waitUntilRunning(doc.cellAt(loop), before);
    // Let the loop really spin in the kernel before interrupting it.
    await new Promise((r) => setTimeout(r, 1500));
    await vscode.commands.executeCommand('gradscope.interruptKernel');
    const stopped = await waitForCell(doc, loop, before, 30_000);
    assert.notEqual(stopped.executionSummary?.success, true, 'an interrupted cell must not show as succeeded');
    const use = await runCell(doc, cell('counter += 1'));
    assert.equal(use.executionSummary?.success, true, `the kernel lost its state on interrupt:\n${outputText(use)}`);
    assert.match(outputText(use), /counter is 43/);
  });

  it('puts an error squiggle on the line that threw', async () => {
    const failing = await runCell(doc, cell('throw new RangeError'));
    assert.equal(failing.executionSummary?.success, false);
    assert.match(outputText(failing), /too many steps at rate 0\.5: 10/);
    const errors = vscode.languages.getDiagnostics(failing.document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.equal(errors.length, 1, `expected one error squiggle, got ${JSON.stringify(errors)}`);
    assert.equal(errors[0].range.start.line, 2, 'the throw is on the cell\'s third line');
    assert.match(errors[0].message, /too many steps at rate 0\.5: 10/);
    // Fixing the cell and running it again clears the squiggle.
    const edit = new vscode.WorkspaceEdit();
    const text = failing.document.getText();
    const at = text.indexOf('steps > 5');
    edit.replace(failing.document.uri, new vscode.Range(failing.document.positionAt(at), failing.document.positionAt(at + 'steps > 5'.length)), 'steps > 50');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const fixed = await runCell(doc, failing.index);
    assert.equal(fixed.executionSummary?.success, true, outputText(fixed));
    assert.deepEqual(vscode.languages.getDiagnostics(fixed.document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []);
  });

  it('Gradscope: Restart Kernel loses the variables', async () => {
    await vscode.commands.executeCommand('gradscope.restartKernel');
    const fresh = await runCell(doc, cell('fresh kernel'));
    assert.equal(fresh.executionSummary?.success, true, outputText(fresh));
    assert.match(outputText(fresh), /fresh kernel: undefined/, 'typeof counter after a restart');
    const use = await runCell(doc, cell('counter += 1'));
    assert.equal(use.executionSummary?.success, false, 'a cell using a variable of the old kernel must fail');
    assert.match(outputText(use), /ReferenceError: counter is not defined/);
  });

  it('a cell calling process.exit(1) fails with "The kernel died" and the next cell runs in a new kernel', async () => {
    await runCell(doc, cell('let counter = 41'));
    const exit = await runCell(doc, cell('process.exit(1)'));
    assert.equal(exit.executionSummary?.success, false);
    assert.match(outputText(exit), /The kernel died\b.*variables are lost/s);
    const after = await runCell(doc, cell('fresh kernel'));
    assert.equal(after.executionSummary?.success, true, `the extension did not recover:\n${outputText(after)}`);
    assert.match(outputText(after), /fresh kernel: undefined/);
    const set = await runCell(doc, cell('let counter = 41'));
    assert.equal(set.executionSummary?.success, true, outputText(set));
  });
});
