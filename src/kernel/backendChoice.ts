/**
 * Picks the TensorFlow.js backend at kernel start, in order: tfjs-node-gpu, tfjs-node (each looked up
 * in the notebook's workspace first, then in the extension's own optional dependencies), wasm, cpu.
 * The first that loads and passes a one-op self-test wins. Whatever wins defines the ONE tfjs engine
 * of the kernel: {@link engineModulePath} tells the require hook where `@tensorflow/tfjs` lives so
 * that cells, the native package and the gradscope library all get the same copy.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

type Tf = typeof import('@tensorflow/tfjs');

/** Backend names as the `gradscope.backend` setting spells them. */
export type BackendChoice = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The outcome of backend selection. */
export interface SelectedBackend {
  choice: BackendChoice;
  /** tfjs's own backend name (`tensorflow`, `wasm`, `cpu`). */
  name: string;
  device?: string;
  tf: Tf;
  /** Absolute path of the `@tensorflow/tfjs` entry that the engine uses. */
  tfjsPath: string;
  /** The native package's module, when a native backend won (cells importing it get this one). */
  nativeModule?: { specifier: string; path: string; exports: unknown };
  /** One line per backend that was tried and failed, for the kernel log. */
  notes: string[];
}

const NATIVE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** Resolves `specifier` from each folder in turn; undefined when none has it. */
export function resolveFrom(specifier: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    try {
      return createRequire(path.join(dir, '__gradscope__.js')).resolve(specifier);
    } catch {
      // not in this folder's node_modules chain; try the next
    }
  }
  return undefined;
}

function selfTest(tf: Tf): void {
  const out = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
  if (out[0] !== 4 || out[1] !== 6) throw new Error(`self-test computed [${out[0]}, ${out[1]}] instead of [4, 6]`);
}

async function tryNative(choice: 'tensorflow-gpu' | 'tensorflow', dirs: string[]): Promise<SelectedBackend> {
  const specifier = NATIVE[choice];
  const modulePath = resolveFrom(specifier, dirs);
  if (!modulePath) throw new Error(`${specifier} is not installed (looked in ${dirs.join(', ')})`);
  const tf = require(modulePath) as Tf & { backend(): unknown };
  const tfjsPath = resolveFrom('@tensorflow/tfjs', [path.dirname(modulePath)]);
  if (!tfjsPath) throw new Error(`${specifier} loaded but its @tensorflow/tfjs cannot be found`);
  if (tf.getBackend() !== 'tensorflow') await tf.setBackend('tensorflow');
  selfTest(tf);
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  const device = backend.isUsingGpuDevice ? 'GPU' : choice === 'tensorflow-gpu' ? 'CPU (no GPU visible)' : 'CPU';
  return { choice, name: 'tensorflow', device, tf, tfjsPath, nativeModule: { specifier, path: modulePath, exports: tf }, notes: [] };
}

async function tryJs(choice: 'wasm' | 'cpu', extensionDir: string): Promise<SelectedBackend> {
  const tfjsPath = resolveFrom('@tensorflow/tfjs', [extensionDir]);
  if (!tfjsPath) throw new Error(`@tensorflow/tfjs is missing from ${extensionDir}`);
  const tf = require(tfjsPath) as Tf;
  if (choice === 'wasm') {
    const wasmPath = resolveFrom('@tensorflow/tfjs-backend-wasm', [path.dirname(tfjsPath), extensionDir]);
    if (!wasmPath) throw new Error('@tensorflow/tfjs-backend-wasm is not installed');
    require(wasmPath);
  }
  const ok = await tf.setBackend(choice);
  if (!ok) throw new Error(`tf.setBackend('${choice}') failed`);
  selfTest(tf);
  return { choice, name: choice, device: choice === 'wasm' ? 'CPU (WebAssembly, SIMD)' : 'CPU (JavaScript)', tf, tfjsPath, notes: [] };
}

/**
 * Selects the backend. `forced` (the `gradscope.backend` setting) tries only that one; `auto` tries
 * them in order. Native packages resolve from `workspaceDir` first, then `extensionDir`.
 */
export async function selectBackend(forced: 'auto' | BackendChoice, workspaceDir: string, extensionDir: string): Promise<SelectedBackend> {
  const order: BackendChoice[] = forced === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [forced];
  const notes: string[] = [];
  for (const choice of order) {
    try {
      const selected = choice === 'wasm' || choice === 'cpu'
        ? await tryJs(choice, extensionDir)
        : await tryNative(choice, [workspaceDir, extensionDir]);
      selected.notes = notes;
      return selected;
    } catch (e) {
      notes.push(`${choice}: ${firstLine(e)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start:\n  ${notes.join('\n  ')}`);
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}
