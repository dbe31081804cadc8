/**
 * The Gradscope kernel as VS Code sees it: a NotebookController for `gradscope` notebooks (and for
 * `.ipynb` TypeScript cells under the Jupyter extension) that runs cells in one kernel process per
 * notebook, in order, with execution order numbers, timing, cancel and interrupt.
 */
import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { KernelClient, type ExecutionResult, type KernelInfo } from '../kernel/client';
import type { FindingsReport } from '../protocol/health';
import type { KernelOutput } from '../protocol/kernelMessages';
import { cellFilename, cellLabel, runCell, toVscodeOutput } from './execution';
import { untrustedRefusal, type KernelStartAction } from './kernelSettings';
import { kernelOptionsOf } from './settings';
import { settingsFor } from './settingsPrompt';
import { CELL_LANGUAGE } from '../language/languageId';
import { nodeExecutable } from './nodeExecutable';
import { offerWebGpuInstall } from './webgpuInstall';

/** Notebook types the kernel serves, with the controller id used for each. */
const SERVED = [
  { notebookType: 'gradscope', id: 'gradscope-kernel' },
  { notebookType: 'jupyter-notebook', id: 'gradscope-kernel-jupyter' },
];

/** Runs notebooks' cells; owns its controllers, kernels and disposables. */
export class GradscopeController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly controllers: vscode.NotebookController[] = [];
  private readonly kernels = new Map<string, KernelClient>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly order = new Map<string, number>();
  private readonly announced = new Set<KernelClient>();
  private readonly errors = vscode.languages.createDiagnosticCollection('gradscope-errors');
  private readonly findingsEmitter = new vscode.EventEmitter<FindingsReport>();
  private readonly cellRunEmitter = new vscode.EventEmitter<vscode.NotebookCell>();
  /** Fires when a run reports findings (code lenses, squiggles). */
  readonly onFindings = this.findingsEmitter.event;
  /** Fires when a cell starts running again (its old findings no longer hold). */
  readonly onCellRun = this.cellRunEmitter.event;

  constructor(private readonly extensionPath: string, private readonly log: vscode.OutputChannel) {
    for (const { notebookType, id } of SERVED) {
      const c = vscode.notebooks.createNotebookController(id, notebookType, 'Gradscope (TypeScript)');
      c.supportedLanguages = [CELL_LANGUAGE, 'typescript'];
      c.supportsExecutionOrder = true;
      c.description = 'TensorFlow.js kernel';
      c.executeHandler = (cells, notebook) => this.executeCells(cells, notebook, c);
      c.interruptHandler = (notebook) => this.interrupt(notebook);
      this.controllers.push(c);
      this.disposables.push(c);
    }
    this.disposables.push(
      this.errors, this.findingsEmitter, this.cellRunEmitter,
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.shutdown(nb.uri.toString())),
    );
  }

  /**
   * The kernel of a notebook, created on first use. Throws in an untrusted workspace: no kernel object
   * exists there, so no path (run, restart, an interrupt that escalates) can fork one.
   */
  kernelFor(notebook: vscode.NotebookDocument, action: KernelStartAction = 'run'): KernelClient {
    const refusal = untrustedRefusal(vscode.workspace.isTrusted, action);
    if (refusal) throw new Error(refusal);
    const key = notebook.uri.toString();
    let k = this.kernels.get(key);
    if (!k) {
      const log = (line: string) => this.log.appendLine(`[${path.basename(notebook.uri.path)}] ${line}`);
      const refused = new Set<string>();
      const settings = () => settingsFor(notebook.uri, (problem) => {
        if (refused.has(problem)) return; // the options are read several times per start
        refused.add(problem);
        log(problem);
        void vscode.window.showWarningMessage(`Gradscope: ${problem}`);
      });
      const extensionPath = this.extensionPath;
      k = new KernelClient({
        kernelPath: path.join(this.extensionPath, 'dist', 'kernel.js'),
        // Read at every (re)start, so restarting the kernel applies changed settings.
        get options() {
          return kernelOptionsOf(settings(), notebookDir(notebook), extensionPath);
        },
        get execArgv() {
          return settings().nodeOptions;
        },
        get execPath() {
          const s = settings();
          const choice = nodeExecutable(s.node, s.backend, { electron: !!process.versions.electron, path: process.env.PATH ?? '', extensions: process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [] });
          if ('error' in choice) throw new Error(choice.error);
          return choice.execPath;
        },
        log,
        onStatus: (s) => this.showStatus(s.state === 'ready' ? s.info : undefined),
        onLateOutput: (cellUri, output) => void this.showLateOutput(notebook, cellUri, output),
      });
      this.kernels.set(key, k);
    }
    return k;
  }

  /**
   * Restarts the notebook's kernel: variables are lost, queued cells run in the new one. In an
   * untrusted workspace nothing starts and the user is told why.
   */
  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    const refusal = untrustedRefusal(vscode.workspace.isTrusted, 'restart');
    if (refusal) {
      this.log.appendLine(refusal);
      void showTrustRefusal(refusal);
      return;
    }
    const k = this.kernelFor(notebook, 'restart');
    this.announced.delete(k);
    await k.restart();
  }

  /** True while the notebook's kernel process runs (settingsPrompt.ts asks before prompting a restart). */
  hasRunningKernel(notebook: vscode.NotebookDocument): boolean {
    return this.kernels.get(notebook.uri.toString())?.alive === true;
  }

  /** Interrupts the running cell; without a kernel (always so in an untrusted workspace) does nothing. */
  interrupt(notebook: vscode.NotebookDocument): void {
    this.kernels.get(notebook.uri.toString())?.interrupt();
  }

  private executeCells(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, controller: vscode.NotebookController): void {
    const key = notebook.uri.toString();
    // Every cell shows as queued at once; they run one after another.
    const executions = cells.map((cell) => controller.createNotebookCellExecution(cell));
    let chain = this.queues.get(key) ?? Promise.resolve();
    for (const exec of executions) chain = chain.then(() => this.executeOne(exec, notebook)).catch((e) => this.log.appendLine(String(e)));
    this.queues.set(key, chain);
  }

  private async executeOne(exec: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const cell = exec.cell;
    if (exec.token.isCancellationRequested) {
      exec.start();
      exec.end(undefined);
      return;
    }
    const count = (this.order.get(key) ?? 0) + 1;
    this.order.set(key, count);
    exec.executionOrder = count;
    exec.start(Date.now());
    await exec.clearOutput();
    this.errors.delete(cell.document.uri);
    this.cellRunEmitter.fire(cell);
    const refusal = untrustedRefusal(vscode.workspace.isTrusted, 'run');
    if (refusal) {
      await exec.replaceOutput(errorOutput('Untrusted workspace', refusal));
      exec.end(false, Date.now());
      return;
    }
    const kernel = this.kernelFor(notebook);
    const cancel = exec.token.onCancellationRequested(() => kernel.interrupt());
    let result: ExecutionResult;
    try {
      if (!kernel.alive) {
        const info = await kernel.start().catch((e: Error) => e);
        if (info instanceof Error) {
          await exec.replaceOutput(errorOutput('KernelStartError', `${info.message}\nSee "Gradscope: Show Kernel Log".`));
          exec.end(false, Date.now());
          void offerWebGpuInstall(info.message, notebookDir(notebook));
          return;
        }
      }
      if (!this.announced.has(kernel) && kernel.info) {
        this.announced.add(kernel);
        await exec.appendOutput(toVscodeOutput({ output_type: 'stream', name: 'stdout', text: banner(kernel.info) }));
      }
      result = await runCell(kernel, exec, {
        source: cell.document.getText(),
        filename: cellFilename(cell),
        label: cellLabel(cell),
        cellUri: cell.document.uri.toString(),
        executionCount: count,
      }, (report) => this.findingsEmitter.fire(report));
    } finally {
      cancel.dispose();
    }
    if (result.error && result.error.line > 0) {
      const line = Math.max(0, result.error.line - 1);
      const range = new vscode.Range(line, Math.max(0, result.error.column - 1), line, Number.MAX_SAFE_INTEGER);
      this.errors.set(cell.document.uri, [new vscode.Diagnostic(range, result.error.message, vscode.DiagnosticSeverity.Error)]);
    }
    if (result.restartAdvised) {
      void vscode.window.showWarningMessage(`TensorFlow.js could not be restored after the interrupt (${result.restartAdvised}); tensor operations may fail until the kernel restarts.`, 'Restart Kernel')
        .then((choice) => choice && this.restart(notebook));
    }
    if (result.status === 'died') {
      this.announced.delete(kernel);
      await exec.appendOutput(errorOutput('KernelDied', result.message ?? 'The kernel died.'));
    }
    exec.end(result.status === 'ok' ? true : result.status === 'interrupted' ? undefined : false, Date.now());
  }

  /**
   * An output of a cell that already ended (an error thrown by a timer it set): appended to that cell
   * in a short execution of its own; when no cell owns it, or the cell is running again, a notification.
   */
  private async showLateOutput(notebook: vscode.NotebookDocument, cellUri: string, output: KernelOutput): Promise<void> {
    const cell = cellUri ? notebook.getCells().find((c) => c.document.uri.toString() === cellUri) : undefined;
    const controller = this.controllers.find((c) => SERVED.some((sv) => sv.id === c.id && sv.notebookType === notebook.notebookType));
    if (cell && controller) {
      try {
        const exec = controller.createNotebookCellExecution(cell);
        exec.start();
        await exec.appendOutput(toVscodeOutput(output));
        exec.end(false);
        return;
      } catch {
        // the cell is queued or running again: say it below instead
      }
    }
    const text = output.output_type === 'error' ? `${output.ename}: ${output.evalue}` : 'output';
    void vscode.window.showErrorMessage(`${cell ? `Cell ${cell.index + 1}` : 'The kernel'}: ${text} (see "Gradscope: Show Kernel Log")`);
  }

  private showStatus(info: KernelInfo | undefined): void {
    for (const c of this.controllers) {
      c.description = info ? `TensorFlow.js · ${info.backend}${info.device ? ` · ${info.device}` : ''}` : 'TensorFlow.js kernel';
    }
  }

  private shutdown(key: string): void {
    this.kernels.get(key)?.dispose();
    this.kernels.delete(key);
    this.queues.delete(key);
  }

  dispose(): void {
    for (const k of this.kernels.values()) k.dispose();
    this.kernels.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** Tells the user why nothing started, with a way to trust the folder. */
async function showTrustRefusal(message: string): Promise<void> {
  const manage = 'Manage Workspace Trust';
  if ((await vscode.window.showWarningMessage(message, manage)) === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

function errorOutput(name: string, message: string): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name, message, stack: `${name}: ${message}` })]);
}

function banner(info: KernelInfo): string {
  return `Gradscope kernel · backend ${info.backend}${info.device ? ` (${info.device})` : ''} · TensorFlow.js ${info.tfjsVersion}\n`;
}

function notebookDir(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return path.dirname(notebook.uri.fsPath);
  return vscode.workspace.getWorkspaceFolder(notebook.uri)?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
}
