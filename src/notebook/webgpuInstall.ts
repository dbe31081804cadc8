/**
 * Installing Dawn's WebGPU bindings on demand, only with the user's consent. When a kernel could not
 * start because `gradscope.backend` is `webgpu` and the `webgpu` package is nowhere to be found, the
 * user is asked; on yes, `npm i webgpu@…` runs in a terminal in the notebook's folder, where the user
 * sees it, and the next run (or a restart) starts the kernel on webgpu. Nothing is installed otherwise.
 */
import * as vscode from 'vscode';
import { WEBGPU_INSTALL_COMMAND, missingWebGpuPackage } from './webgpuPackage';

/** Offers the install after such a start failure; does nothing for other failures. */
export async function offerWebGpuInstall(startError: string, folder: string): Promise<void> {
  if (!missingWebGpuPackage(startError)) return;
  const install = 'Install in This Folder';
  const choice = await vscode.window.showWarningMessage(
    `Gradscope: the webgpu backend needs Dawn's WebGPU bindings (npm \`webgpu\`), which are not installed. Run \`${WEBGPU_INSTALL_COMMAND}\` in ${folder}?`,
    install,
  );
  if (choice !== install) return;
  const terminal = vscode.window.createTerminal({ name: 'Gradscope: install webgpu', cwd: folder });
  terminal.show();
  terminal.sendText(WEBGPU_INSTALL_COMMAND);
}
