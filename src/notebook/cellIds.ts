/**
 * Gives every new cell of a Gradscope notebook an nbformat cell id as soon as it is added, as VS Code's
 * own ipynb support does; otherwise the serializer would make up a new one at every save, and each save
 * of an unchanged notebook would rewrite those lines.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';

/** Listens for added cells in `gradscope` notebooks and stamps an id into their metadata. */
export function assignCellIds(): vscode.Disposable {
  return vscode.workspace.onDidChangeNotebookDocument((e) => {
    if (e.notebook.notebookType !== 'gradscope') return;
    const edits: vscode.NotebookEdit[] = [];
    for (const change of e.contentChanges) {
      for (const cell of change.addedCells) {
        if (typeof cell.metadata.id === 'string') continue;
        edits.push(vscode.NotebookEdit.updateCellMetadata(cell.index, { ...cell.metadata, id: randomUUID().slice(0, 8) }));
      }
    }
    if (edits.length === 0) return;
    const edit = new vscode.WorkspaceEdit();
    edit.set(e.notebook.uri, edits);
    void vscode.workspace.applyEdit(edit);
  });
}
