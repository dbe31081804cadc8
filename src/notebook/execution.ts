/**
 * One cell's run in the editor: kernel outputs become VS Code outputs as they arrive (streams append
 * to the previous output of the same stream, displays are replaced in place).
 */
import * as vscode from 'vscode';
import type { ExecutionResult, KernelClient } from '../kernel/client';
import type { ExecuteRequest, KernelOutput } from '../protocol/kernelMessages';
import type { FindingsReport } from '../protocol/health';
import { toCellOutput } from './nbformat';

/** Stable virtual file name of a cell (stack frames, source maps): the cell document's identity. */
export function cellFilename(cell: vscode.NotebookCell): string {
  return `gradscope-cell:/${cell.document.uri.fragment || `index-${cell.index}`}`;
}

/** How errors name a cell: `Cell 3` (1-based, as the editor numbers them). */
export function cellLabel(cell: vscode.NotebookCell): string {
  return `Cell ${cell.index + 1}`;
}

function items(o: KernelOutput): { items: vscode.NotebookCellOutputItem[]; metadata?: Record<string, unknown> } {
  const data = toCellOutput(o as Parameters<typeof toCellOutput>[0]);
  return { items: data.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), metadata: data.metadata };
}

/** A kernel output as a VS Code output. */
export function toVscodeOutput(o: KernelOutput): vscode.NotebookCellOutput {
  const { items: its, metadata } = items(o);
  return new vscode.NotebookCellOutput(its, metadata);
}

/** Runs `req` in `kernel`, writing its outputs into `exec` as they come. */
export async function runCell(
  kernel: KernelClient,
  exec: vscode.NotebookCellExecution,
  req: ExecuteRequest,
  onFindings: (report: FindingsReport) => void,
): Promise<ExecutionResult> {
  const displays = new Map<string, vscode.NotebookCellOutput>();
  let lastStream: { name: string; output: vscode.NotebookCellOutput } | undefined;
  // Output calls are async in VS Code; chaining keeps them in the order the kernel sent them.
  let pending: Thenable<void> = Promise.resolve();
  const enqueue = (f: () => Thenable<void>) => {
    pending = pending.then(f, f);
  };
  const result = await kernel.execute(req, {
    output(o, displayId) {
      enqueue(async () => {
        if (o.output_type === 'stream' && lastStream?.name === o.name) {
          await exec.appendOutputItems(items(o).items, lastStream.output);
          return;
        }
        const output = toVscodeOutput(o);
        lastStream = o.output_type === 'stream' ? { name: o.name, output } : undefined;
        if (displayId) displays.set(displayId, output);
        await exec.appendOutput(output);
      });
    },
    updateDisplay(displayId, o) {
      enqueue(async () => {
        const output = displays.get(displayId);
        if (output) await exec.replaceOutputItems(items(o).items, output);
      });
    },
    findings: onFindings,
    // prompt() in a cell: the editor's input box; Escape rejects the cell's promise.
    input: (prompt, password) => Promise.resolve(vscode.window.showInputBox({ prompt: prompt || 'Input for the running cell', password, ignoreFocusOut: true }))
      .then((v) => (v === undefined ? Promise.reject(new Error('the input was cancelled')) : v)),
  });
  await pending;
  return result;
}
