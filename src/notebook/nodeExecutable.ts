/**
 * Which executable runs the kernel process. Pure (no `vscode`): the controller passes in the
 * setting, the backend and the host's runtime.
 *
 * Contract for `gradscope.kernel.node`:
 * - `auto` (the default): the host's own runtime, except where the host is Electron (VS Code) and
 *   `gradscope.backend` is `webgpu`: Dawn's WebGPU bindings do not load in Electron's Node, so the
 *   kernel runs on the `node` found on PATH, and the kernel does not start (saying why) when there
 *   is none. `auto` as the backend stays on the host's runtime (webgpu is then skipped, with a note).
 * - anything else: a path, or a command name looked up on PATH, used for every kernel; a value that
 *   names no executable file stops the start with a message naming the setting.
 * Either way an executable that is not Node.js 20 or later is refused, saying its version.
 *
 * @example
 * nodeExecutable('auto', 'webgpu', { electron: true, path: '/usr/bin' }) // { execPath: '/usr/bin/node' }
 * nodeExecutable('auto', 'wasm', { electron: true, path: '/usr/bin' })   // { execPath: undefined }
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the host runs on. */
export interface HostRuntime {
  /** True under Electron (VS Code's extension host). */
  electron: boolean;
  /** The PATH to search. */
  path: string;
  /** Executable suffixes to try (Windows' PATHEXT); defaults to none. */
  extensions?: string[];
  /** `process.version` of an executable (`v20.11.1`), undefined when it does not run. Defaults to running `file --version`. */
  versionOf?: (file: string) => string | undefined;
}

/** The oldest Node.js major version the kernel runs on. */
export const MIN_NODE_MAJOR = 20;

function runVersion(file: string): string | undefined {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** `file` when it runs as Node.js ${MIN_NODE_MAJOR} or later; else why not, naming `what`. */
function checked(file: string, what: string, host: HostRuntime): NodeChoice {
  const version = (host.versionOf ?? runVersion)(file);
  const major = Number(/^v(\d+)\./.exec(version ?? '')?.[1]);
  const fix = 'Set gradscope.kernel.node to the path of Node.js ' + MIN_NODE_MAJOR + ' or later.';
  if (!version) return { error: `${what}, ${file}, does not run as Node.js (\`${file} --version\` failed). ${fix}` };
  if (!(major >= MIN_NODE_MAJOR)) return { error: `${what}, ${file}, is Node.js ${version}; the kernel needs Node.js ${MIN_NODE_MAJOR} or later. ${fix}` };
  return { execPath: file };
}

/** The kernel's executable: undefined = the host's own (`process.execPath`). */
export type NodeChoice = { execPath: string | undefined } | { error: string };

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `command` found on `searchPath`, or undefined. */
export function findOnPath(command: string, searchPath: string, extensions: string[] = []): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    for (const ext of ['', ...extensions]) {
      const file = path.join(dir, command + ext);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** Resolves the setting; see the file comment. */
export function nodeExecutable(setting: string, backend: string, host: HostRuntime): NodeChoice {
  const value = setting.trim();
  if (value === '' || value === 'auto') {
    if (!host.electron || backend !== 'webgpu') return { execPath: undefined };
    const found = findOnPath('node', host.path, host.extensions);
    if (found) return checked(found, 'the `node` on PATH', host);
    return {
      error: 'gradscope.backend is webgpu, which needs a real Node.js: Dawn\'s WebGPU bindings do not load in VS Code\'s own (Electron) runtime, ' +
        'and no `node` was found on PATH. Install Node.js 20 or later, or set gradscope.kernel.node to the path of a node executable.',
    };
  }
  const isPath = value.includes('/') || value.includes('\\');
  const found = isPath ? (isExecutable(value) ? value : undefined) : findOnPath(value, host.path, host.extensions);
  if (found) return checked(found, 'gradscope.kernel.node', host);
  return { error: `gradscope.kernel.node is ${JSON.stringify(value)}, which ${isPath ? 'is not an executable file' : 'was not found on PATH'}. Set it to the path of a node executable, or to "auto".` };
}
