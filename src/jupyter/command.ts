/**
 * The `gradscope kernel …` commands: `install` writes the kernelspec, `CONNECTION_FILE` serves a
 * kernel (what Jupyter runs from the kernelspec's argv).
 */
import * as path from 'node:path';
import { installKernelspec, kernelspecFor, type KernelspecTarget } from './kernelspec';
import { serveKernel } from './server';
import { KERNEL_BACKENDS } from '../protocol/kernelMessages';

export const KERNEL_USAGE = `usage: gradscope kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
       gradscope kernel CONNECTION_FILE [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu]

install   writes a Jupyter kernelspec (default --user) that runs this Gradscope with this Node.js
CONNECTION_FILE   serves the kernel over ZeroMQ (Jupyter starts this from the kernelspec)`;

const BACKENDS = KERNEL_BACKENDS;

/** Runs `gradscope kernel ARGS`; resolves to the exit code. */
export async function kernelCommand(argv: string[], cliPath: string, version: string): Promise<number> {
  const fail = (why: string) => {
    console.error(`gradscope kernel: ${why}\n\n${KERNEL_USAGE}`);
    return 2;
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    console.error(KERNEL_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === 'install') {
    let target: KernelspecTarget | undefined;
    let name = 'gradscope';
    let displayName: string | undefined;
    const setTarget = (t: KernelspecTarget) => {
      if (target) throw new Error('--user, --sys-prefix and --prefix exclude each other');
      target = t;
    };
    try {
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
          if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
          return argv[++i];
        };
        if (a === '--user') setTarget({ kind: 'user' });
        else if (a === '--sys-prefix') setTarget({ kind: 'sys-prefix' });
        else if (a === '--prefix') setTarget({ kind: 'prefix', dir: value() });
        else if (a === '--name') name = value();
        else if (a === '--display-name') displayName = value();
        else return fail(`unknown option ${a}`);
      }
      const dir = installKernelspec(kernelspecFor(path.resolve(cliPath), process.execPath, displayName), target ?? { kind: 'user' }, name);
      console.error(`gradscope kernel: installed kernelspec '${name}' in ${dir}`);
      return 0;
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  const file = argv[0];
  let backend: (typeof BACKENDS)[number] = 'auto';
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--backend' && i + 1 < argv.length) {
      const b = argv[++i];
      if (!(BACKENDS as readonly string[]).includes(b)) return fail(`unknown backend '${b}'`);
      backend = b as typeof backend;
    } else return fail(`unexpected argument ${argv[i]}`);
  }
  try {
    await serveKernel({ connectionFile: file, backend, version, workspaceDir: process.cwd() });
    return 0;
  } catch (e) {
    console.error(`gradscope kernel: ${(e as Error).message}`);
    return 1;
  }
}
