/**
 * The VS Code side of settings.ts: reads a notebook's settings (refusing bad values by name in the
 * kernel log and a warning) and, when a setting a running kernel started with changes, prompts
 * "Restart the kernel to apply" for each notebook whose kernel runs, with a button that restarts it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { changedRestartSettings, readSettings, type GradscopeSettings } from './settings';
import { settingValue } from './kernelSettings';

/**
 * Reads the settings that apply to `uri`; each refused value is passed to `report`. In an untrusted
 * workspace the settings that can run code take only the user's own (global) value, never the
 * workspace's (kernelSettings.ts).
 */
export function settingsFor(uri: vscode.Uri, report: (problem: string) => void): GradscopeSettings {
  const config = vscode.workspace.getConfiguration('gradscope', uri);
  const trusted = vscode.workspace.isTrusted;
  const { settings, problems } = readSettings((name) => settingValue(name, config.inspect(name), trusted, undefined));
  for (const p of problems) report(p);
  return settings;
}

/** What the prompt needs of the controller. */
export interface RestartableKernels {
  /** True while the notebook's kernel process runs. */
  hasRunningKernel(notebook: vscode.NotebookDocument): boolean;
  restart(notebook: vscode.NotebookDocument): Promise<void>;
}

/** Watches the `gradscope.*` settings; dispose to stop. */
export function promptRestartOnSettingChange(kernels: RestartableKernels): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('gradscope')) return;
    for (const notebook of vscode.workspace.notebookDocuments) {
      if (!kernels.hasRunningKernel(notebook)) continue;
      const changed = changedRestartSettings((name) => e.affectsConfiguration(name, notebook.uri));
      if (changed.length === 0) continue;
      const what = changed.length === 1 ? `${changed[0]} changed` : `${changed.join(', ')} changed`;
      const name = path.basename(notebook.uri.path);
      void vscode.window
        .showInformationMessage(`Gradscope: ${what}. Restart the kernel to apply (${name}).`, 'Restart Kernel')
        .then((choice) => (choice === 'Restart Kernel' ? kernels.restart(notebook) : undefined));
    }
  });
}
