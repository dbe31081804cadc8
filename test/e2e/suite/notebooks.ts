/**
 * Helpers for the extension-host suites: open a notebook of the test workspace, run all its cells
 * with the Gradscope kernel and read their outputs as the user sees them.
 */
import * as vscode from 'vscode';

/** The extension under test. */
export const EXTENSION_ID = 'gradscope.gradscope';
/** The Gradscope controller's id (`vscode.notebooks.createNotebookController`). */
export const CONTROLLER_ID = 'gradscope-kernel';

/** Opens `name` from the first workspace folder in a notebook editor. */
export async function openNotebook(name: string): Promise<vscode.NotebookDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the e2e workbench must open a folder');
  const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.joinPath(folder.uri, name));
  await vscode.window.showNotebookDocument(doc);
  return doc;
}

/** Selects the Gradscope kernel, runs every cell and resolves when each code cell has finished. */
export async function runAllAndWait(doc: vscode.NotebookDocument, timeoutMs = 120_000): Promise<vscode.NotebookCell[]> {
  await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
  await vscode.commands.executeCommand('notebook.execute', doc.uri);
  const code = () => doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
  const finished = () => code().every((c) => c.executionSummary?.success !== undefined);
  const deadline = Date.now() + timeoutMs;
  while (!finished()) {
    if (Date.now() > deadline) {
      const state = code().map((c, i) => `cell ${i + 1}: ${JSON.stringify(c.executionSummary ?? null)}`).join('\n');
      throw new Error(`cells did not finish within ${timeoutMs / 1000} s:\n${state}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return code();
}

const decoder = new TextDecoder();

/** All text of a cell's outputs: stdout/stderr, text/plain, and errors as `name: message\nstack`. */
export function outputText(cell: vscode.NotebookCell): string {
  const parts: string[] = [];
  for (const output of cell.outputs) {
    for (const item of output.items) {
      const text = decoder.decode(item.data);
      if (item.mime === 'application/vnd.code.notebook.error') {
        const e = JSON.parse(text) as { name?: string; message?: string; stack?: string };
        parts.push(`${e.name}: ${e.message}\n${e.stack ?? ''}`);
      } else if (item.mime.startsWith('text/') || item.mime.startsWith('application/vnd.code.notebook.std')) {
        parts.push(text);
      }
    }
  }
  return parts.join('\n');
}
