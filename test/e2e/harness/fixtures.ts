/**
 * Temp workspaces for the e2e tests, filled from test/e2e/fixtures, removed by the caller.
 *
 * @example
 * const ws = makeWorkspace(['smoke.tfnb']);
 * try { ... } finally { rmSync(ws, { recursive: true, force: true }); }
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './buildSuite';

/** Folder of the e2e fixtures. */
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'e2e', 'fixtures');

/** Creates a temp folder holding copies of the named fixtures (paths relative to FIXTURES_DIR, or absolute). */
export function makeWorkspace(files: string[]): string {
  const ws = mkdtempSync(join(tmpdir(), 'gradscope-ws-'));
  for (const f of files) copyFileSync(f.startsWith('/') ? f : join(FIXTURES_DIR, f), join(ws, basename(f)));
  return ws;
}
