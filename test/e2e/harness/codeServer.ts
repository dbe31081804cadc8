/**
 * code-server (VS Code 1.100.3 served to a browser) as a test tool: installed once into a cache
 * folder outside the repository, then started on a free 127.0.0.1 port with a throw-away profile.
 * Used by the e2e tests and by `npm start` (.build/start.mjs). See ../../../../shared/recipes/real-vscode.md.
 *
 * @example
 * const server = await startCodeServer({ folder: '/tmp/ws' });
 * try { console.log(server.url); } finally { await server.stop(); }
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The code-server release whose bundled VS Code (1.100.3) still runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';

/** Folder that holds installed test tools; `GRADSCOPE_TEST_CACHE` overrides `~/.cache/gradscope-test`. */
export function toolCacheDir(): string {
  return process.env.GRADSCOPE_TEST_CACHE ?? join(homedir(), '.cache', 'gradscope-test');
}

/** Path of code-server's node entry point inside an install folder. */
function entryOf(dir: string): string {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/**
 * Installs code-server into the tool cache unless it is there already, and returns its entry script
 * (run it with `process.execPath`). Installs into a staging folder renamed at the end, so an
 * interrupted install is never mistaken for a finished one.
 */
export function ensureCodeServer(log: (line: string) => void = () => {}): string {
  const dir = join(toolCacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const done = join(dir, '.installed');
  if (existsSync(done) && existsSync(entryOf(dir))) return entryOf(dir);
  for (const [bin, pkg] of [['rg', 'ripgrep'], ['c++', 'g++']] as const) {
    if (spawnSync('which', [bin]).status !== 0) {
      throw new Error(`installing code-server needs \`${bin}\`: apt-get install ${pkg} libkrb5-dev (see .ci/run)`);
    }
  }
  mkdirSync(toolCacheDir(), { recursive: true });
  const stage = mkdtempSync(join(toolCacheDir(), `.code-server-${CODE_SERVER_VERSION}-`));
  try {
    // @vscode/ripgrep's postinstall downloads rg from GitHub unless this cached archive exists;
    // seed it with Debian's rg so the install needs only the npm registry.
    const tmp = join(stage, '.tmp');
    const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
    mkdirSync(rgCache, { recursive: true });
    const rgDir = join(tmp, 'rg-bin');
    mkdirSync(rgDir);
    copyFileSync(spawnSync('which', ['rg'], { encoding: 'utf8' }).stdout.trim(), join(rgDir, 'rg'));
    const tar = spawnSync('tar', ['-czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', rgDir, 'rg']);
    if (tar.status !== 0) throw new Error(`could not seed the ripgrep cache: ${tar.stderr}`);
    writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'gradscope-test-tools', private: true }));
    log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (once, about 75 s)…`);
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
    });
    if (npm.status !== 0 || !existsSync(entryOf(stage))) {
      throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${npm.status}):\n${(npm.stderr ?? '').slice(-4000)}`);
    }
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(join(stage, '.installed'), new Date().toISOString());
    rmSync(dir, { recursive: true, force: true });
    renameSync(stage, dir);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return entryOf(dir);
}

/** Options of {@link startCodeServer}. */
export interface CodeServerArgs {
  /** Folder opened by the workbench URL (`server.url`). Defaults to none. */
  folder?: string;
  /** Profile root (user data, extensions, XDG dirs). Defaults to a fresh temp folder removed by `stop()`. */
  profileDir?: string;
  /** Port on 127.0.0.1. Defaults to a free port. */
  port?: number;
  /** Extra environment for the server and its extension host. Defaults to none. */
  env?: Record<string, string>;
  /** Called with each line code-server prints. Defaults to keeping it in `server.output()` only. */
  onOutput?: (line: string) => void;
  /**
   * Enables workspace trust (no `--disable-workspace-trust`), with the startup trust prompt off, so a
   * folder opens in restricted mode until the user trusts it. Defaults to false (everything trusted).
   */
  workspaceTrust?: boolean;
}

/** A running code-server. */
export interface CodeServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT/` plus `?folder=` when a folder was given. */
  readonly url: string;
  readonly origin: string;
  readonly profileDir: string;
  readonly extensionsDir: string;
  /** Runs the code-server CLI against this profile (e.g. `['--install-extension', vsix]`). */
  cli(args: string[]): { status: number | null; output: string };
  /** Everything the server printed so far. */
  output(): string;
  /** Kills the server's whole process group and removes a temp profile. Safe to call twice. */
  stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function profileEnv(profileDir: string): Record<string, string> {
  // Without these, code-server writes into ~/.config and ~/.local even for --version.
  return { XDG_CONFIG_HOME: join(profileDir, 'xdg-config'), XDG_DATA_HOME: join(profileDir, 'xdg-data') };
}

/**
 * Runs the code-server CLI (e.g. `['--install-extension', vsix]`) against the profile in `profileDir`,
 * the same layout {@link startCodeServer} uses, without a running server.
 */
export function codeServerCli(profileDir: string, args: string[]): { status: number | null; output: string } {
  const entry = ensureCodeServer((l) => console.error(l));
  const r = spawnSync(process.execPath, [entry, ...profileArgs(profileDir), ...args], {
    env: { ...process.env, ...profileEnv(profileDir) }, encoding: 'utf8', timeout: 180_000,
  });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function profileArgs(profileDir: string): string[] {
  return ['--user-data-dir', join(profileDir, 'user-data'), '--extensions-dir', join(profileDir, 'extensions')];
}

/** Starts code-server (installing it first if needed) and resolves once `/healthz` answers. */
export async function startCodeServer(args: CodeServerArgs = {}): Promise<CodeServer> {
  const entry = ensureCodeServer((l) => (args.onOutput ?? console.error)(l));
  const temp = args.profileDir === undefined;
  const profileDir = args.profileDir ?? mkdtempSync(join(tmpdir(), 'gradscope-vscode-'));
  const userDataDir = join(profileDir, 'user-data');
  const extensionsDir = join(profileDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) {
    writeFileSync(settings, JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      // Only read when workspace trust is on: open untrusted folders in restricted mode, without the
      // modal question a test cannot answer.
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false,
    }, null, 2));
  }
  const port = args.port ?? (await freePort());
  const env = { ...process.env, ...profileEnv(profileDir), ...args.env };
  const common = profileArgs(profileDir);
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [
    entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    ...(args.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', ...common,
  ], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const line of b.toString().split('\n')) if (line.trim()) args.onOutput?.(line);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exited = false;
  child.once('exit', () => (exited = true));
  const origin = `http://127.0.0.1:${port}`;
  let stopped = false;
  const server: CodeServer = {
    port,
    origin,
    url: `${origin}/${args.folder ? `?folder=${encodeURIComponent(args.folder)}` : ''}`,
    profileDir,
    extensionsDir,
    output: () => out,
    cli: (cliArgs) => codeServerCli(profileDir, cliArgs),
    async stop() {
      if (stopped) return;
      stopped = true;
      await killGroup(child);
      if (temp) rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`code-server exited before it was ready:\n${out.slice(-3000)}`);
      try {
        if ((await fetch(`${origin}/healthz`)).ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

/** SIGTERM to the process group (extension hosts included), SIGKILL after 5 s if still alive. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child.pid, 'SIGKILL'); // children may outlive the leader
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  signalGroup(child.pid, 'SIGTERM');
  const t = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch { /* group already gone */ }
}
