/**
 * Helpers for the extension-host suites that run single cells and read what a run left behind: the
 * gradient-health outputs (parsed), the error squiggles and the code lenses of a cell.
 *
 * @example
 * const cell = await runCell(doc, 2);
 * const [health] = healthOutputs(cell);
 * assert.equal(health.status, 'finished');
 */
import * as vscode from 'vscode';
import { HEALTH_MIME, type FindingCode, type HealthSnapshot } from '../../../src/protocol/health';

const decoder = new TextDecoder();

/** Polls `check` every 100 ms until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True once the cell has finished a run numbered differently from `previousOrder`. */
function finishedSince(cell: vscode.NotebookCell, previousOrder: number | undefined): boolean {
  const s = cell.executionSummary;
  if (!s || s.executionOrder === undefined || s.executionOrder === previousOrder) return false;
  // An interrupted run ends with success undefined, so the end time is what says "done"; VS Code may
  // keep the previous run's end time while a new run is going, hence the comparison.
  return s.timing !== undefined && s.timing.endTime >= s.timing.startTime;
}

/** Starts the code cell at notebook index `index` (no waiting); returns its previous execution order. */
export async function startCell(doc: vscode.NotebookDocument, index: number): Promise<number | undefined> {
  const cell = doc.cellAt(index);
  if (cell.kind !== vscode.NotebookCellKind.Code) throw new Error(`cell ${index + 1} of ${doc.uri.path} is not a code cell`);
  const before = cell.executionSummary?.executionOrder;
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: doc.uri });
  return before;
}

/** Waits until the cell at `index` finished the run started after `previousOrder`. */
export async function waitForCell(doc: vscode.NotebookDocument, index: number, previousOrder: number | undefined, timeoutMs = 120_000): Promise<vscode.NotebookCell> {
  return waitFor(`cell ${index + 1} of ${doc.uri.path} to finish`, () => {
    const cell = doc.cellAt(index);
    return finishedSince(cell, previousOrder) && cell;
  }, timeoutMs);
}

/** Runs the code cell at notebook index `index` and resolves when it has finished. */
export async function runCell(doc: vscode.NotebookDocument, index: number, timeoutMs = 120_000): Promise<vscode.NotebookCell> {
  const before = await startCell(doc, index);
  return waitForCell(doc, index, before, timeoutMs);
}

/** Waits until the cell is running (VS Code shows it executing, not just queued). */
export async function waitUntilRunning(cell: vscode.NotebookCell, previousOrder: number | undefined, timeoutMs = 30_000): Promise<void> {
  await waitFor(`cell ${cell.index + 1} to start`, () => {
    const s = cell.executionSummary;
    return s?.executionOrder !== undefined && s.executionOrder !== previousOrder;
  }, timeoutMs);
}

/** Every gradient-health output of a cell, parsed, in output order. */
export function healthOutputs(cell: vscode.NotebookCell): HealthSnapshot[] {
  return cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === HEALTH_MIME))
    .map((i) => JSON.parse(decoder.decode(i.data)) as HealthSnapshot);
}

/** The finding codes of a snapshot, sorted and without repeats (dead-relu may name several layers). */
export function findingCodes(snapshot: HealthSnapshot): FindingCode[] {
  return [...new Set(snapshot.findings.map((f) => f.code))].sort();
}

/** The index of the first code cell whose source contains `snippet`; throws when there is none. */
export function cellIndexOf(doc: vscode.NotebookDocument, snippet: string): number {
  const i = doc.getCells().findIndex((c) => c.kind === vscode.NotebookCellKind.Code && c.document.getText().includes(snippet));
  if (i < 0) throw new Error(`no cell of ${doc.uri.path} contains ${JSON.stringify(snippet)}`);
  return i;
}

/**
 * The code lenses VS Code would show on a cell, resolved (titles and commands filled in). The
 * workbench answers "Illegal argument" for a cell whose text model it has not loaded (a cell far from
 * the viewport), so the cell is scrolled into view first, as a user would.
 */
export async function codeLenses(cell: vscode.NotebookCell): Promise<vscode.CodeLens[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cell.document.uri, 100);
      return lenses ?? [];
    } catch (e) {
      if (attempt >= 5) throw e;
      const editor = await vscode.window.showNotebookDocument(cell.notebook);
      editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenter);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
