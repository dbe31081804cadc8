/**
 * `gradscope kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]`:
 * writes a Jupyter kernelspec whose argv starts this package's `gradscope kernel {connection_file}`
 * with the Node.js that ran the install. Where the spec goes follows `jupyter kernelspec install`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where to install. */
export type KernelspecTarget = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

/** A kernelspec's kernel.json. */
export interface Kernelspec {
  argv: string[];
  display_name: string;
  language: 'typescript';
  interrupt_mode: 'message' | 'signal';
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** The kernel.json for the CLI at `cliPath` run by `node`. */
export function kernelspecFor(cliPath: string, node = process.execPath, displayName = 'Gradscope (TypeScript)'): Kernelspec {
  return {
    argv: [node, cliPath, 'kernel', '{connection_file}'],
    display_name: displayName,
    language: 'typescript',
    // Interrupts come as interrupt_request messages; the server also takes SIGINT.
    interrupt_mode: 'message',
    metadata: { debugger: false },
  };
}

/** The `kernels` folder of a target (as jupyter_client's KernelSpecManager resolves it). */
export function kernelsDir(target: KernelspecTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case 'user': {
      if (env.JUPYTER_DATA_DIR) return path.join(env.JUPYTER_DATA_DIR, 'kernels');
      if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter', 'kernels');
      if (process.platform === 'win32') return path.join(env.APPDATA ?? os.homedir(), 'jupyter', 'kernels');
      return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter', 'kernels');
    }
    case 'sys-prefix':
      return path.join(sysPrefix(env), 'share', 'jupyter', 'kernels');
    case 'prefix':
      return path.join(path.resolve(target.dir), 'share', 'jupyter', 'kernels');
  }
}

/** The active Python environment's prefix (a virtualenv or conda env first, else python3's sys.prefix). */
function sysPrefix(env: NodeJS.ProcessEnv): string {
  if (env.VIRTUAL_ENV) return env.VIRTUAL_ENV;
  if (env.CONDA_PREFIX) return env.CONDA_PREFIX;
  const py = spawnSync('python3', ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' });
  if (py.status !== 0 || !py.stdout.trim()) throw new Error('--sys-prefix needs an active Python environment (VIRTUAL_ENV, CONDA_PREFIX or python3 on PATH); use --prefix DIR instead');
  return py.stdout.trim();
}

/** Writes `<kernels>/<name>/kernel.json`; returns the folder. Replaces an older spec of the same name. */
export function installKernelspec(spec: Kernelspec, target: KernelspecTarget, name = 'gradscope', env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[a-z0-9._-]+$/i.test(name)) throw new Error(`kernel name '${name}' may only hold letters, digits, '.', '_' and '-'`);
  const dir = path.join(kernelsDir(target, env), name);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.kernel.json.${process.pid}`);
  fs.writeFileSync(tmp, `${JSON.stringify(spec, null, 2)}\n`);
  fs.renameSync(tmp, path.join(dir, 'kernel.json'));
  return dir;
}
