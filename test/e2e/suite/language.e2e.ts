/**
 * The notebook language service in a real VS Code, before any cell runs: completions after `gs.` and
 * `tf.` in a cell that does not import them, the hover of a name from another cell, a type error shown
 * on its cell and gone after the fix, and zero Problems on every sample. What VS Code's commands
 * return is what every provider answered together (so a second TypeScript service answering our cells
 * would show up as duplicates or `any`). The workspace holds copies of the samples.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { measure } from './measure';
import { EXTENSION_ID, openNotebook } from './notebooks';

interface Api {
  language: { settled(nb: vscode.NotebookDocument): Promise<boolean> };
}

async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.activate();
}

const SAMPLE = '01-vanishing-gradients.tfnb';

function codeCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

/** Appends a code cell (in the notebook's cell language) and returns it. */
async function appendCell(nb: vscode.NotebookDocument, text: string): Promise<vscode.NotebookCell> {
  const language = codeCells(nb)[0].document.languageId;
  const edit = new vscode.WorkspaceEdit();
  edit.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, language)])]);
  assert.ok(await vscode.workspace.applyEdit(edit));
  return nb.cellAt(nb.cellCount - 1);
}

/** Deletes cells this suite appended, so the next test sees the sample as it is on disk. */
async function removeCell(nb: vscode.NotebookDocument, cell: vscode.NotebookCell): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(cell.index, cell.index + 1))]);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

async function setText(cell: vscode.NotebookCell, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const doc = cell.document;
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

async function completions(cell: vscode.NotebookCell, at: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cell.document.uri, at, '.');
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n---\n');
}

/** `promise`, or a failure naming `what` when it takes longer than `ms` (instead of the suite's timeout, which names nothing). */
async function within<T>(what: string, ms: number, promise: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms); });
  try {
    return await Promise.race([Promise.resolve(promise), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Errors VS Code shows on the notebook's cells (every source). */
function cellErrors(nb: vscode.NotebookDocument): string[] {
  return nb.getCells().flatMap((c, i) => vscode.languages.getDiagnostics(c.document.uri)
    .filter((d) => d.severity === vscode.DiagnosticSeverity.Error)
    .map((d) => `Cell ${i + 1}, line ${d.range.start.line + 1}: ${d.message} (${d.source} ${String(typeof d.code === 'object' ? d.code.value : d.code)})`));
}

describe('TypeScript that knows the notebook', () => {
  it('completes gs. and tf. in a cell that does not import them', async function () {
    const { language } = await api();
    const nb = await openNotebook(SAMPLE);
    const started = performance.now();
    const cell = await appendCell(nb, 'gs.');
    try {
      assert.equal(cell.document.languageId, 'gradscope-typescript', 'Gradscope cells have their own language id');
      const gsItems = await completions(cell, new vscode.Position(0, 3));
      measure(this.test, `first completion after open: ${(performance.now() - started).toFixed(0)} ms`);
      for (const name of ['fit', 'schedules', 'callbacks', 'diagnostics']) assert.ok(gsItems.includes(name), `gs.${name} among ${gsItems.slice(0, 40).join(', ')}`);
      assert.equal(gsItems.filter((n) => n === 'fit').length, 1, 'one provider answers (no duplicates from another TypeScript service)');
      await setText(cell, 'const m = tf.');
      const tfItems = await completions(cell, new vscode.Position(0, 'const m = tf.'.length));
      for (const name of ['sequential', 'layers', 'tensor2d']) assert.ok(tfItems.includes(name), `tf.${name}`);
    } finally {
      await removeCell(nb, cell);
    }
    await language.settled(nb);
  });

  it('shows the type of a name from another cell on hover, and gs.fit is typed', async () => {
    const nb = await openNotebook(SAMPLE);
    const cells = codeCells(nb);
    // Cell 2 (deepMlp, run) uses `features`, `x` and `y` from cell 1.
    const use = cells[1];
    const text = use.document.getText();
    const at = text.indexOf('inputShape: [features]') + 'inputShape: ['.length + 2;
    const hover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', use.document.uri, use.document.positionAt(at)));
    assert.match(hover, /const features: 16/);
    const fitAt = text.indexOf('gs.fit(') + 4;
    const fit = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', use.document.uri, use.document.positionAt(fitAt)));
    assert.match(fit, /function fit\(model: tf\.LayersModel, x: gs\.FitData, y: gs\.FitData, args\?: gs\.FitArgs\)/);
    assert.doesNotMatch(fit, /\bany\b/, 'no second service says any');
  });

  it('squiggles a type error before the cell runs, and clears it after the fix', async () => {
    const { language } = await api();
    const nb = await openNotebook(SAMPLE);
    const cell = await appendCell(nb, "const epochs = 3;\nconst rate: string = 0.1;");
    try {
      await language.settled(nb);
      const errors = vscode.languages.getDiagnostics(cell.document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      assert.deepEqual(errors.map((d) => [d.range.start.line, d.range.start.character, d.code, d.message]),
        [[1, 6, 2322, "Type 'number' is not assignable to type 'string'."]]);
      assert.equal(cell.executionSummary?.executionOrder, undefined, 'the cell never ran');
      await setText(cell, "const epochs = 3;\nconst rate: string = '0.1';");
      await language.settled(nb);
      assert.deepEqual(vscode.languages.getDiagnostics(cell.document.uri), []);
    } finally {
      await removeCell(nb, cell);
    }
  });

  it(".ipynb with Gradscope's kernel: served across cells, VS Code's own TypeScript stays out of its cells", async () => {
    const { language } = await api();
    /** Every diagnostic VS Code shows on the notebook's cells, hints included. */
    const shown = (nb: vscode.NotebookDocument) => nb.getCells().flatMap((c, i) => vscode.languages.getDiagnostics(c.document.uri).map((d) => `Cell ${i + 1}: ${d.message}`));
    // The same cells in a notebook of another kernel: only VS Code's own TypeScript answers there, and
    // it sees each cell alone (cell 1 imports, so it is a module, and `rate` looks unused).
    const other = await openNotebook('language-other.ipynb');
    assert.equal(codeCells(other)[1].document.languageId, 'typescript');
    const unusedRate = "Cell 1: 'rate' is declared but its value is never read.";
    const deadline = Date.now() + 90_000;
    while (!shown(other).includes(unusedRate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.ok(shown(other).includes(unusedRate), `VS Code's TypeScript runs on other notebooks' cells: ${shown(other).join('; ')}`);
    const nb = await openNotebook('language-gradscope.ipynb');
    assert.equal(await language.settled(nb), true, 'the .ipynb is served by the language service');
    const label = codeCells(nb)[1];
    assert.equal(label.document.languageId, 'typescript', 'the cells keep their language');
    // VS Code's TypeScript answered the other notebook's cells already; give it time here too.
    await new Promise((r) => setTimeout(r, 5000));
    await language.settled(nb);
    const here = shown(nb);
    assert.ok(!here.includes(unusedRate), `no contradicting finding of VS Code's TypeScript: ${here.join('; ')}`);
    assert.equal(new Set(here).size, here.length, `no duplicates: ${here.join('; ')}`);
    assert.deepEqual(cellErrors(nb), ["Cell 2, line 1: Type 'number' is not assignable to type 'string'. (ts 2322)"]);
    const hover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', label.document.uri, new vscode.Position(0, 'const label: string = ra'.length)));
    assert.match(hover, /const rate: 0\.1/);
    assert.doesNotMatch(hover, /\bany\b/, 'no second service says any');
    assert.equal(nb.isDirty, false, 'the file is not changed');
  });

  it('shows zero Problems on every sample', async function () {
    const { language } = await api();
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const samples = (await vscode.workspace.fs.readDirectory(folder)).map(([n]) => n).filter((n) => /^\d\d-.*\.tfnb$/.test(n)).sort();
    assert.ok(samples.length >= 8, samples.join(', '));
    const problems: string[] = [];
    const times: string[] = [];
    for (const name of samples) {
      const started = Date.now();
      // The document only: its Problems come from the document, not from an editor. (Showing eight
      // notebook editors in a row in the headless browser now and then leaves one blank, its cells
      // never laid out, and showNotebookDocument never resolves.)
      const nb = await within(`${name}: opening the document`, 30_000, vscode.workspace.openNotebookDocument(vscode.Uri.joinPath(folder, name)));
      const opened = Date.now();
      assert.equal(await within(`${name}: its diagnostics`, 60_000, language.settled(nb)), true, `${name}: the language service computed its diagnostics`);
      times.push(`${name} ${opened - started} + ${Date.now() - opened} ms`);
      problems.push(...cellErrors(nb).map((e) => `${name}: ${e}`));
      assert.equal(nb.isDirty, false, `${name}: opening it changed nothing`);
    }
    measure(this.test, `open + diagnostics per sample: ${times.join(', ')}`);
    assert.deepEqual(problems, []);
  });
});
