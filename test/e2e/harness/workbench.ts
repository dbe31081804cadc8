/**
 * Debian's Chromium driven by playwright-core against a code-server workbench: runs an
 * extension-host mocha suite through the workbench URL payload, or drives the UI like a user.
 *
 * @example
 * const browser = await launchBrowser();
 * try {
 *   const { exitCode, log } = await runExtensionTests(browser, server, { folder: ws,
 *     extensionDevelopmentPath: root, extensionTestsPath: `${root}/.test-cache/out/test/e2e/suite/index.js` });
 * } finally { await browser.close(); }
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { REPO_ROOT } from './buildSuite';
import { startCodeServer, type CodeServer, type CodeServerArgs } from './codeServer';
import { makeWorkspace } from './fixtures';

/** Where screenshots go (gitignored). */
export const ARTIFACTS_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '.test-cache', 'artifacts', 'e2e');

/** Launches Debian's Chromium headless (`CHROMIUM` overrides its path). Never downloads a browser. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (see .ci/run) or set CHROMIUM`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Closes a page so the workbench disconnects cleanly (else its extension host lingers). */
export async function closePage(page: Page): Promise<void> {
  if (page.isClosed()) return;
  await page.close({ runBeforeUnload: true }).catch(() => {});
  // runBeforeUnload resolves before the page is gone; wait for it, but not forever.
  for (let i = 0; i < 50 && !page.isClosed(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Saves a full-page screenshot as .test-cache/artifacts/e2e/NAME.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string | undefined> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  try {
    await page.screenshot({ path, timeout: 10_000 });
    return path;
  } catch {
    return undefined;
  }
}

/** Options of {@link runExtensionTests}. */
export interface ExtensionTestsArgs {
  /** Folder the workbench opens. */
  folder: string;
  /** Absolute path of the extension loaded as a development extension. */
  extensionDevelopmentPath: string;
  /** Absolute path of the JS module exporting `run(): Promise<void>`. */
  extensionTestsPath: string;
  /** Give up after this long. Defaults to 240 s. */
  timeoutMs?: number;
  /** Screenshot name saved when the suite fails. Defaults to `extension-tests`. */
  name?: string;
  /**
   * Acts on the workbench page while the suite runs, as a user would (e.g. answers a modal dialog the
   * extension host cannot reach). Its error fails the run. Defaults to none.
   */
  onPage?: (page: Page) => Promise<void>;
}

/** The outcome of an extension-host suite: the exit code VS Code reports and the log it forwarded. */
export interface ExtensionTestsResult {
  exitCode: number;
  log: string;
}

/**
 * Opens the workbench with `extensionDevelopmentPath`/`extensionTestsPath` in the URL payload
 * (code-server rejects them on its command line) and waits for `codeAutomationExit`.
 */
export async function runExtensionTests(browser: Browser, server: CodeServer, args: ExtensionTestsArgs): Promise<ExtensionTestsResult> {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(args.extensionDevelopmentPath)],
    ['extensionTestsPath', remote(args.extensionTestsPath)],
  ]);
  const url = `${server.origin}/?folder=${encodeURIComponent(args.folder)}&payload=${encodeURIComponent(payload)}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const lines: string[] = [];
  let done!: (code: number) => void;
  const exit = new Promise<number>((r) => (done = r));
  try {
    await page.exposeFunction('codeAutomationLog', (type: string, parts: unknown[]) => {
      // VS Code forwards console calls as (format string, ...values).
      lines.push(`[${type}] ${format(...(Array.isArray(parts) ? parts : [parts]))}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => done(Number(code)));
    await page.goto(url);
    let pageError: Error | undefined;
    const onPage = args.onPage?.(page).catch((e: Error) => (pageError = e));
    const timeoutMs = args.timeoutMs ?? 240_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`extension tests did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      const exitCode = await Promise.race([exit, timeout]);
      if (exitCode !== 0) await screenshot(page, args.name ?? 'extension-tests');
      await Promise.race([onPage, timeout]);
      if (pageError) throw new Error(`the page action failed: ${pageError.message}`);
      return { exitCode, log: lines.join('\n') };
    } catch (e) {
      await screenshot(page, args.name ?? 'extension-tests');
      throw new Error(`${(e as Error).message}\n--- forwarded log ---\n${lines.join('\n')}`);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await closePage(page);
  }
}

/**
 * Opens the workbench on `folder` and waits until it is interactive; with `extensionDevelopmentPath`
 * that folder's extension is loaded as a development extension (no vsix needed).
 */
export async function openWorkbench(
  browser: Browser, server: CodeServer, folder: string, extensionDevelopmentPath?: string,
  viewport = { width: 1400, height: 900 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const payload = extensionDevelopmentPath
    ? `&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${extensionDevelopmentPath}`]]))}`
    : '';
  await page.goto(`${server.origin}/?folder=${encodeURIComponent(folder)}${payload}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.statusbar').waitFor({ timeout: 60_000 });
  return page;
}

/** What a UI test drives: a temp workspace, a code-server and a browser, stopped together. */
export interface UiSession {
  /** The temp workspace folder the workbench opens (tests may add files before opening it). */
  readonly folder: string;
  /** Opens the workbench on the workspace, with this repository as the development extension. */
  open(viewport?: { width: number; height: number }): Promise<Page>;
  /** Closes the pages {@link open} made, the browser and the server, and removes the workspace. */
  stop(): Promise<void>;
}

/**
 * Copies `fixtures` into a temp workspace, starts code-server (with `serverArgs`) and the browser.
 * What started is stopped again if a later part fails to start.
 *
 * @example
 * const ui = await startUiSession(['smoke.tfnb']);
 * try { await openNotebook(await ui.open(), 'smoke.tfnb'); } finally { await ui.stop(); }
 */
export async function startUiSession(fixtures: string[], serverArgs: CodeServerArgs = {}): Promise<UiSession> {
  const folder = makeWorkspace(fixtures);
  const pages: Page[] = [];
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    // Pages first, each cleanly, so no extension host outlives its workbench.
    for (const page of pages) await closePage(page);
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer(serverArgs);
    browser = await launchBrowser();
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    folder,
    async open(viewport) {
      const page = await openWorkbench(browser!, server!, folder, REPO_ROOT, viewport);
      pages.push(page);
      return page;
    },
    stop,
  };
}

/** Runs a command from the command palette by its label, e.g. `Notebook: Run All`. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
}

/**
 * Opens a workspace file with Quick Open and waits for the notebook editor. In a fresh profile a
 * notebook opened before the extension host registered its type opens as text: close and reopen.
 */
export async function openNotebook(page: Page, fileName: string, attempts = 4): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(fileName);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
    await row.waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    try {
      await page.locator('.notebook-editor .cell-list-container, .notebookOverlay').first().waitFor({ timeout: 8_000 });
      return;
    } catch {
      await runCommand(page, 'View: Close All Editors').catch(() => {});
    }
  }
  await screenshot(page, `open-${fileName}`);
  throw new Error(`${fileName} did not open in the notebook editor after ${attempts} attempts`);
}

/** Every frame of the page, webview iframes (where notebook outputs render) included. */
export function allFrames(page: Page): Frame[] {
  return page.frames();
}

/** Waits until some frame's body text contains `text` (outputs live in webview iframes); returns that frame. */
export async function waitForOutputText(page: Page, text: string | RegExp, timeoutMs = 120_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  const matches = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
  while (Date.now() < deadline) {
    for (const frame of allFrames(page)) {
      const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (matches(body)) return frame;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no output showing ${String(text)} within ${timeoutMs / 1000} s`);
}

/** If VS Code asks which kernel to use, picks the one whose label contains `label`. */
export async function pickKernelIfAsked(page: Page, label: string, waitMs = 5_000): Promise<boolean> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: waitMs });
  } catch {
    return false;
  }
  await row.click();
  return true;
}

/** Clicks Run All in the notebook editor's toolbar (the palette hides it unless the notebook has focus). */
export async function runAll(page: Page): Promise<void> {
  const button = page.locator('.notebook-toolbar-container .action-item', { hasText: 'Run All' }).first();
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  await button.click();
}
