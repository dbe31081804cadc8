/**
 * Builds the installable extension with `@vscode/vsce` (the same tool as `npm run package`), without
 * prompts, so it can run in CI and in `npm start`. `npm run build` must have produced dist/ first.
 *
 * @example
 * const vsix = packageVsix('/tmp/gradscope.vsix');
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './buildSuite';

/** Packages the extension into `outFile` and returns its path; throws with vsce's output on failure. */
export function packageVsix(outFile: string, root = REPO_ROOT): string {
  for (const built of ['extension.js', 'CHANGELOG.md']) {
    if (!existsSync(join(root, 'dist', built))) {
      throw new Error(`no ${join(root, 'dist', built)}: run \`npm run build\` before packaging`);
    }
  }
  mkdirSync(dirname(outFile), { recursive: true });
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // vsce asks y/N about a missing repository field; without a TTY the question would fail the run, so
  // answer up front (a missing license still fails it: package.json names .build/LICENSE.txt). Relative
  // README links stay relative: VS Code resolves them inside the installed extension (media/ ships in
  // the vsix), and no repository URL is needed. The changelog is the one the build writes from the
  // README's Changelog section. The same flags as `npm run package`.
  const flags = ['--allow-missing-repository', '--no-rewrite-relative-links', '--changelog-path', 'dist/CHANGELOG.md'];
  const r = spawnSync(process.execPath, [vsce, 'package', ...flags, '--out', outFile], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000,
  });
  if (r.status !== 0 || !existsSync(outFile)) {
    throw new Error(`vsce package failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  return outFile;
}
