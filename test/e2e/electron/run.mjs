// `npm run test:electron`: the same extension-host mocha suite as the code-server tests, launched in
// VS Code desktop through @vscode/test-electron, for machines that can download VS Code from
// Microsoft's update server (it caches the download in .vscode-test/). Where that server is not
// reachable the download fails after TIMEOUT and this exits 1 with a message saying so.
//   npm run test:electron                    all suites except the vsix one (smoke, kernel, fixes, samples)
//   GRADSCOPE_E2E_SUITES=kernel,fixes npm run test:electron   some of them
//   VSCODE_VERSION=1.100.3 npm run test:electron
//   VSCODE_EXECUTABLE=/path/to/code npm run test:electron   (an installed VS Code; no download)
import { runTests } from '@vscode/test-electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'tsx'; // registers TypeScript loading (as `node --import tsx`) for the imports below

const { buildSuite, REPO_ROOT } = await import('../harness/buildSuite.ts');
const { makeWorkspace } = await import('../harness/fixtures.ts');
const { sampleFiles } = await import('../harness/samples.ts');

const TIMEOUT_MS = 30_000;
const { testsPath } = await buildSuite();
const workspace = makeWorkspace(['smoke.tfnb', 'kernel.tfnb', 'dead-relu.tfnb', ...sampleFiles()]);
const userData = mkdtempSync(join(tmpdir(), 'gradscope-electron-'));
let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION ?? '1.100.3',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: testsPath,
    extensionTestsEnv: { GRADSCOPE_E2E_SUITES: process.env.GRADSCOPE_E2E_SUITES ?? 'smoke,kernel,fixes,samples' },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', join(userData, 'data')],
    timeout: TIMEOUT_MS,
  });
} catch (e) {
  const msg = e instanceof Error ? e.message : String(e);
  console.error(`test:electron could not run VS Code desktop: ${msg}`);
  if (!process.env.VSCODE_EXECUTABLE) {
    console.error('It downloads VS Code from update.code.visualstudio.com; without access to it, set VSCODE_EXECUTABLE to an' +
      ' installed VS Code, or run the same suite in code-server with `npm test` (test/e2e/smoke.test.ts).');
  }
} finally {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
}
process.exit(code);
