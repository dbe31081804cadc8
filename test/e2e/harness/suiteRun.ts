/**
 * One call that runs the extension-host suite in a fresh code-server and turns its outcome into a
 * node:test failure a reader can act on: which extension-host test failed, and why.
 *
 * @example
 * await runSuiteInCodeServer(browser, { suites: ['smoke'], fixtures: ['smoke.tfnb'] });
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSuite, REPO_ROOT } from './buildSuite';
import { startCodeServer, type CodeServer } from './codeServer';
import { makeWorkspace } from './fixtures';
import { runExtensionTests } from './workbench';

/** Options of {@link runSuiteInCodeServer}. */
export interface SuiteRunArgs {
  /** Base names of the `suite/*.e2e.ts` files to run. */
  suites: string[];
  /** Fixtures copied into the temp workspace. */
  fixtures: string[];
  /**
   * Prepares the profile before the server starts (e.g. installs a vsix with `codeServerCli`) and
   * returns the development extension to load. Defaults to loading the repository itself as the
   * development extension.
   */
  prepare?: (profileDir: string, probePath: string) => Promise<string> | string;
  /** Screenshot name on failure. Defaults to the suites' names. */
  name?: string;
  /** Give up on the whole extension-host run after this long. Defaults to 240 s. */
  timeoutMs?: number;
  /** Start code-server with workspace trust on (the folder opens in restricted mode). Defaults to false. */
  workspaceTrust?: boolean;
  /** Acts on the workbench page while the suite runs (see `runExtensionTests`). Defaults to none. */
  onPage?: (page: Page) => Promise<void>;
}

/** One extension-host test's outcome. */
interface Outcome { title: string; state: string; error?: string; measures?: string[] }

/** Runs the suites; resolves with the passed tests' titles, throws listing the failed ones. */
export async function runSuiteInCodeServer(browser: Browser, args: SuiteRunArgs): Promise<string[]> {
  const { testsPath, probePath } = await buildSuite();
  const scratch = mkdtempSync(join(tmpdir(), 'gradscope-e2e-'));
  const ws = makeWorkspace(args.fixtures);
  const report = join(scratch, 'report.json');
  let server: CodeServer | undefined;
  try {
    const profileDir = join(scratch, 'profile');
    mkdirSync(profileDir);
    const devPath = args.prepare ? await args.prepare(profileDir, probePath) : REPO_ROOT;
    server = await startCodeServer({
      profileDir, workspaceTrust: args.workspaceTrust,
      env: { GRADSCOPE_E2E_SUITES: args.suites.join(','), GRADSCOPE_E2E_REPORT: report },
    });
    const { exitCode, log } = await runExtensionTests(browser, server, {
      folder: ws, extensionDevelopmentPath: devPath, extensionTestsPath: testsPath, name: args.name ?? args.suites.join('-'),
      timeoutMs: args.timeoutMs, onPage: args.onPage,
    });
    const outcomes: Outcome[] = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : [];
    for (const o of outcomes) for (const m of o.measures ?? []) console.log(`${o.title}: ${m}`);
    const failed = outcomes.filter((o) => o.state !== 'passed');
    if (exitCode !== 0 || failed.length > 0 || outcomes.length === 0) {
      const details = failed.map((o) => `✗ ${o.title}\n${o.error}`).join('\n\n');
      throw new Error(`extension-host suite exited with ${exitCode}\n${details || log}`);
    }
    return outcomes.map((o) => o.title);
  } finally {
    await server?.stop();
    rmSync(ws, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}
