/**
 * Saving in the editor changes nothing the user did not change. The workspace holds `crlf-no-ids.tfnb`
 * (written by ../fidelity.test.ts): CRLF line ends, nbformat 4.5 cells without ids, metadata numbers
 * spelled `-0`, `1e400`, `1.50`, `1e-05`, `1.0`. After an edit and a save, then a second edit and save,
 * the file keeps CRLF, the ids written by the first save, and every spelling, and holds the edits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { openNotebook } from './notebooks';
import { GradscopeSerializer } from '../../../src/notebook/serializer';

async function editCell(doc: vscode.NotebookDocument, index: number, text: string): Promise<void> {
  const cell = doc.cellAt(index);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(cell.document.uri, new vscode.Range(0, 0, cell.document.lineCount, 0), text);
  assert.equal(await vscode.workspace.applyEdit(edit), true);
}

async function save(doc: vscode.NotebookDocument): Promise<string> {
  assert.equal(doc.isDirty, true, 'the edit did not make the notebook dirty');
  // Through the editor, as the user saves (Ctrl+S), and then until the document is clean.
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.save');
  for (let i = 0; i < 50 && doc.isDirty; i++) await new Promise((r) => setTimeout(r, 200));
  if (doc.isDirty) {
    // Say why: serialize what the editor holds the way VS Code would.
    const data = new vscode.NotebookData(doc.getCells().map((c) => {
      const d = new vscode.NotebookCellData(c.kind, c.document.getText(), c.document.languageId);
      d.metadata = c.metadata;
      return d;
    }));
    data.metadata = doc.metadata;
    let why = 'the serializer does not throw';
    try {
      new GradscopeSerializer().serializeNotebook(data, new vscode.CancellationTokenSource().token);
    } catch (e) {
      why = (e as Error).stack ?? String(e);
    }
    assert.fail(`the save failed (dirty: ${doc.isDirty}; ${why}; metadata ${JSON.stringify(doc.metadata)})`);
  }
  return readFileSync(doc.uri.fsPath, 'utf8');
}

const ids = (text: string) => [...text.matchAll(/"id": "([^"]+)"/g)].map((m) => m[1]);

describe('Saving a notebook in the editor keeps what the user wrote', () => {
  it('keeps CRLF, assigns missing cell ids once, and keeps metadata number spellings across saves', async () => {
    const doc = await openNotebook('crlf-no-ids.tfnb');
    assert.equal(doc.notebookType, 'gradscope');
    await editCell(doc, 1, 'const units = 42;');
    const first = await save(doc);
    assert.equal(first.replace(/\r\n/g, '').includes('\n'), false, `a line ends in a bare LF:\n${JSON.stringify(first)}`);
    assert.match(first, /"const units = 42;"/);
    assert.match(first, /"big": 1e400,\r\n\s+"lr": 1\.50,\r\n\s+"tiny": 1e-05,\r\n\s+"zero": -0\r\n/);
    assert.match(first, /"scale": -0,\r\n\s+"warmup": 1\.0\r\n/);
    const assigned = ids(first);
    assert.equal(assigned.length, 2, 'each cell gets one id');

    await editCell(doc, 1, 'const units = 43;');
    const second = await save(doc);
    assert.deepEqual(ids(second), assigned, 'the second save wrote new ids');
    assert.equal(second, first.replace('const units = 42;', 'const units = 43;'), 'the second save changed more than the edit');
  });
});
