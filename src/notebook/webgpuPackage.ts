/**
 * The pure half of webgpuInstall.ts (no `vscode`): the install command offered and how a kernel
 * start failure that calls for it is recognised.
 */

/** The command offered (the version the tests and CI use). */
export const WEBGPU_INSTALL_COMMAND = 'npm i webgpu@0.6.2';

/** True when `startError` (the kernel's start failure) says the `webgpu` package is missing. */
export function missingWebGpuPackage(startError: string): boolean {
  return /the `webgpu` package \(Dawn's WebGPU for Node\) is not installed/.test(startError);
}
