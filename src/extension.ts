/**
 * Wires Gradscope into VS Code: the `.tfnb` serializer, the kernel controller, the commands, and the
 * findings → code lenses / quick fixes feature. Every registration goes into context.subscriptions.
 */
import * as vscode from 'vscode';
import { GradscopeSerializer } from './notebook/serializer';
import { GradscopeController } from './notebook/controller';
import { FixesFeature } from './fixes/feature';
import { assignCellIds } from './notebook/cellIds';
import type { ApplyFixMessage } from './protocol/health';

/** Called by VS Code when a Gradscope or Jupyter notebook opens. */
export function activate(context: vscode.ExtensionContext): { controller: GradscopeController } {
  const log = vscode.window.createOutputChannel('Gradscope Kernel');
  const controller = new GradscopeController(context.extensionPath, log);
  const fixes = new FixesFeature();
  const activeNotebook = (): vscode.NotebookDocument | undefined => vscode.window.activeNotebookEditor?.notebook;

  context.subscriptions.push(
    log,
    controller,
    fixes,
    vscode.workspace.registerNotebookSerializer('gradscope', new GradscopeSerializer(), { transientOutputs: false }),
    assignCellIds(),
    controller.onFindings((report) => fixes.update(report)),
    controller.onCellRun((cell) => fixes.clearCell(cell.document.uri.toString())),
    vscode.commands.registerCommand('gradscope.restartKernel', async (arg?: { notebookEditor?: { notebookUri: vscode.Uri } }) => {
      const notebook = notebookOf(arg) ?? activeNotebook();
      if (notebook) await controller.restart(notebook);
    }),
    vscode.commands.registerCommand('gradscope.interruptKernel', (arg?: { notebookEditor?: { notebookUri: vscode.Uri } }) => {
      const notebook = notebookOf(arg) ?? activeNotebook();
      if (notebook) controller.interrupt(notebook);
    }),
    vscode.commands.registerCommand('gradscope.showKernelLog', () => log.show(true)),
    // The panel's "Apply" buttons post here (the renderer declares requiresMessaging: optional).
    vscode.notebooks.createRendererMessaging('gradscope.health').onDidReceiveMessage(({ message }) => {
      if (isApplyFix(message)) void fixes.applyFromPanel(message);
    }),
  );
  return { controller };
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
