/**
 * Test harness for the renderer in a real headless Chromium: bundles renderers/index.ts with esbuild
 * exactly like `npm run build:renderer`, serves it with a page that mimics a notebook output webview
 * (VS Code theme variables and body class), and exposes `render`/`dispose` helpers that call the
 * renderer API with fake output items.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const ARTIFACTS = join(ROOT, '.test-cache/artifacts/renderer');
export const CHROMIUM = '/usr/bin/chromium';

/** Theme variables as VS Code's default themes set them on the webview root (Dark/Light Modern, HC). */
export const THEMES = {
  dark: { cls: 'vscode-dark', vars: { 'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'descriptionForeground': '#9d9d9d', 'charts-lines': 'rgba(204,204,204,0.3)', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'focusBorder': '#0078d4', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'widget-border': '#313131', 'errorForeground': '#f85149', 'font-family': 'system-ui, sans-serif', 'font-size': '13px' } },
  light: { cls: 'vscode-light', vars: { 'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'descriptionForeground': '#6a6a6a', 'charts-lines': 'rgba(97,97,97,0.3)', 'charts-red': '#e51400', 'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90', 'focusBorder': '#005fb8', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'widget-border': '#e5e5e5', 'errorForeground': '#f85149', 'font-family': 'system-ui, sans-serif', 'font-size': '13px' } },
  hc: { cls: 'vscode-high-contrast', vars: { 'editor-background': '#000000', 'editor-foreground': '#ffffff', 'descriptionForeground': '#ffffff', 'charts-lines': '#ffffff', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff', 'charts-yellow': '#ffd700', 'charts-orange': '#ff9900', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'focusBorder': '#f38518', 'contrastBorder': '#6fc3df', 'button-background': '#000000', 'button-foreground': '#ffffff', 'widget-border': '#6fc3df', 'errorForeground': '#f48771', 'font-family': 'system-ui, sans-serif', 'font-size': '13px' } },
} as const;
export type ThemeName = keyof typeof THEMES;

function page(theme: ThemeName): string {
  const t = THEMES[theme];
  const vars = Object.entries(t.vars).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
:root { ${vars} } body { background: var(--vscode-editor-background); color: var(--vscode-editor-foreground); margin: 0; padding: 8px; }
.cell-output { width: 760px; }
</style></head><body class="${t.cls}"><div id="outputs"></div><script type="module">
import { activate } from './renderer.js';
const posted = [];
const listeners = [];
const apis = { plain: await activate({}), messaging: await activate({ postMessage: (m) => posted.push(m) }),
  // Two-way messaging, as in VS Code: the renderer also hears what the host sends (gsHostSends).
  host: await activate({ postMessage: (m) => posted.push(m), onDidReceiveMessage: (l) => { listeners.push(l); return { dispose() {} }; } }) };
window.gsPosted = posted;
// What the extension host would send to the renderer (renderer messaging).
window.gsHostSends = (m) => { for (const l of listeners) l(m); };
window.gsStore = {};
window.gsRender = (outputId, payload, opts = {}) => {
  let host = document.getElementById('host-' + (opts.host ?? outputId));
  if (!host) { host = document.createElement('div'); host.id = 'host-' + (opts.host ?? outputId); host.className = 'cell-output'; document.getElementById('outputs').append(host); }
  const item = { id: outputId, mime: opts.mime ?? 'application/vnd.gradscope.health+json', metadata: {},
    // fromStore: parse stored JSON text on every json() call, as VS Code's OutputItem does with its bytes.
    json: () => { if (opts.badJson) throw new SyntaxError('Unexpected token'); return opts.fromStore ? JSON.parse(window.gsStore[opts.fromStore]) : payload; },
    text: () => JSON.stringify(payload) };
  const t0 = performance.now();
  apis[opts.api ?? 'plain'].renderOutputItem(item, host, new AbortController().signal);
  return performance.now() - t0;
};
window.gsDispose = (id, api = 'plain') => apis[api].disposeOutputItem(id);
window.gsReady = true;
</script></body></html>`;
}

/** Bundles the renderer into .test-cache/artifacts/renderer/renderer.js (same options as build:renderer). */
export async function bundleRenderer(): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const outfile = join(ARTIFACTS, 'renderer.js');
  await build({ entryPoints: [join(ROOT, 'renderers/index.ts')], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', outfile, logLevel: 'error' });
  return outfile;
}

/** A running browser plus the local server of the test page. */
export interface Harness { browser: Browser; server: Server; url: (theme?: ThemeName) => string; close(): Promise<void> }

/** Builds the bundle, starts the server on 127.0.0.1 and launches Debian's Chromium. */
export async function startHarness(executablePath = CHROMIUM): Promise<Harness> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}. The renderer tests drive Debian's chromium through playwright-core; install it with \`apt-get install chromium\` (CI does).`);
  }
  const bundle = await bundleRenderer();
  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname === '/renderer.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(bundle));
    } else if (u.pathname === '/') {
      const theme = (u.searchParams.get('theme') ?? 'dark') as ThemeName;
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(theme in THEMES ? theme : 'dark'));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser, server,
    url: (theme = 'dark') => `http://127.0.0.1:${port}/?theme=${theme}`,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Opens the test page; collects page errors and dialogs (an XSS would open one) in the returned arrays. */
export async function openPage(h: Harness, theme: ThemeName = 'dark'): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await h.browser.newPage({ viewport: { width: 800, height: 900 } });
  const errors: string[] = [], dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(h.url(theme));
  await page.waitForFunction(() => (window as unknown as { gsReady?: boolean }).gsReady === true);
  return { page, errors, dialogs };
}

/** Stores JSON text in the page under `key`, for {@link render} with `fromStore`. */
export async function store(page: Page, key: string, json: string): Promise<void> {
  await page.evaluate(([k, j]) => { (window as any).gsStore[k] = j; }, [key, json] as const);
}

/** Renders `payload` as output `id` (optionally into another host element) and returns the elapsed ms. */
export function render(page: Page, id: string, payload: unknown, opts: { host?: string; badJson?: boolean; api?: 'plain' | 'messaging' | 'host'; fromStore?: string; mime?: string } = {}): Promise<number> {
  return page.evaluate(([i, p, o]) => (window as any).gsRender(i, p, o), [id, payload, opts] as const);
}
