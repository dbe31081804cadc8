/**
 * Wires Gradscope into VS Code: the `.tfnb` serializer, the kernel controller, the commands, the
 * notebook language service (src/language, its compiler in dist/languageWorker.js), and the
 * findings → code lenses / quick fixes feature. Every registration goes into context.subscriptions.
 *
 * Activation stays light (VS Code activates on every `.ipynb` it opens): the fixes feature, which
 * carries the TypeScript compiler, is its own bundle (dist/fixes.js) loaded on the first findings
 * report or the first "Apply" from the panel. Its commands and providers exist from then on; before
 * it there is nothing for them to show.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GradscopeSerializer, toNotebookData } from './notebook/serializer';
import { GradscopeController } from './notebook/controller';
import { assignCellIds } from './notebook/cellIds';
import { promptRestartOnSettingChange } from './notebook/settingsPrompt';
import { starterNotebook } from './notebook/starter';
import type { ApplyFixMessage } from './protocol/health';
import type * as Fixes from './fixes/feature';
import { NotebookLanguageFeature } from './language/feature';
import { RunCompare } from './notebook/runCompare';

/** Called by VS Code when a Gradscope or Jupyter notebook opens. */
export function activate(context: vscode.ExtensionContext): { controller: GradscopeController; language: NotebookLanguageFeature } {
  const log = vscode.window.createOutputChannel('Gradscope Kernel');
  // Completions, hovers and type errors in cells; the TypeScript compiler runs in its worker thread.
  const language = new NotebookLanguageFeature(context.extensionPath, (line) => log.appendLine(line), path.join(context.globalStorageUri.fsPath, 'language-cache'));
  const controller = new GradscopeController(context.extensionPath, log);
  // The panel's renderer posts "Apply" and the comparison bar's requests here (requiresMessaging: optional).
  const messaging = vscode.notebooks.createRendererMessaging('gradscope.health');
  const compare = new RunCompare(messaging);
  let fixesFeature: Fixes.FixesFeature | undefined;
  const fixes = (): Fixes.FixesFeature => {
    if (!fixesFeature) {
      // A run-time path, so esbuild leaves the module out of this bundle.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { FixesFeature } = require(path.join(__dirname, 'fixes.js')) as typeof Fixes;
      fixesFeature = new FixesFeature();
      // A fixed cell's next run offers "compare with the run before the fix".
      context.subscriptions.push(fixesFeature, fixesFeature.onDidApplyFix((f) => compare.noteFix(f.runId, f.reportCell, f.fix)));
    }
    return fixesFeature;
  };
  const activeNotebook = (): vscode.NotebookDocument | undefined => vscode.window.activeNotebookEditor?.notebook;

  context.subscriptions.push(
    log,
    controller,
    compare,
    vscode.workspace.registerNotebookSerializer('gradscope', new GradscopeSerializer(), { transientOutputs: false }),
    assignCellIds(),
    promptRestartOnSettingChange(controller),
    language,
    controller.onFindings((report) => fixes().update(report)),
    controller.onCellRun((cell) => fixesFeature?.clearCell(cell.document.uri.toString())),
    vscode.commands.registerCommand('gradscope.restartKernel', async (arg?: { notebookEditor?: { notebookUri: vscode.Uri } }) => {
      const notebook = notebookOf(arg) ?? activeNotebook();
      if (notebook) await controller.restart(notebook);
    }),
    vscode.commands.registerCommand('gradscope.interruptKernel', (arg?: { notebookEditor?: { notebookUri: vscode.Uri } }) => {
      const notebook = notebookOf(arg) ?? activeNotebook();
      if (notebook) controller.interrupt(notebook);
    }),
    vscode.commands.registerCommand('gradscope.showKernelLog', () => log.show(true)),
    // Command palette and File > New File…: an untitled notebook with the imports cell.
    vscode.commands.registerCommand('gradscope.newNotebook', async () => {
      const nb = await vscode.workspace.openNotebookDocument('gradscope', toNotebookData(starterNotebook()));
      await vscode.window.showNotebookDocument(nb);
      return nb;
    }),
    messaging.onDidReceiveMessage(({ message }) => {
      if (isApplyFix(message)) void fixes().applyFromPanel(message);
    }),
  );
  return { controller, language };
}

function isApplyFix(m: unknown): m is ApplyFixMessage {
  const a = m as Partial<ApplyFixMessage> | undefined;
  return a?.type === 'gradscope.applyFix' && typeof a.runId === 'string' && typeof a.findingIndex === 'number' && typeof a.fix === 'string';
}

function notebookOf(arg?: { notebookEditor?: { notebookUri: vscode.Uri } }): vscode.NotebookDocument | undefined {
  const uri = arg?.notebookEditor?.notebookUri;
  return uri ? vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
}

/** Nothing to do: every disposable is in context.subscriptions. */
export function deactivate(): void {}
