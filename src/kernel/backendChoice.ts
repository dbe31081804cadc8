/**
 * Picks the TensorFlow.js backend at kernel start, in order: tfjs-node-gpu, webgpu (only on a
 * hardware adapter), tfjs-node (the native packages and Dawn's `webgpu` bindings looked up in the
 * notebook's workspace first, then in the extension's own dependencies), wasm, cpu. The first that
 * loads and passes a one-op self-test wins. The kernel starts only in a trusted workspace, and the
 * `gradscope.backend` setting takes only the user's value in Restricted Mode
 * (notebook/kernelSettings.ts), so a workspace's packages load only where the user trusts it. Whatever wins defines the ONE tfjs engine
 * of the kernel: {@link engineModulePath} tells the require hook where `@tensorflow/tfjs` lives so
 * that cells, the native package and the gradscope library all get the same copy.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { startWebGpu } from '../engine/webgpu';
import { installCpuCorrections } from '../engine/corrections/resizeNearestNeighborGrad';
import { KERNEL_BACKENDS, type KernelBackend } from '../protocol/kernelMessages';

type Tf = typeof import('@tensorflow/tfjs');

/** Backend names as the `gradscope.backend` setting spells them. */
export type BackendChoice = Exclude<KernelBackend, 'auto'>;

/** The order `auto` tries them in. */
export const AUTO_ORDER: readonly BackendChoice[] = KERNEL_BACKENDS.filter((b): b is BackendChoice => b !== 'auto');

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
  /** WebGPU only: subscribes to validation errors and device loss (shown on the running cell). */
  onGpuError?: (listener: (e: Error) => void) => void;
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

/** The self-test on a GPU backend: big enough that the add runs on the GPU, read asynchronously. */
async function gpuSelfTest(tf: Tf): Promise<void> {
  const n = 4096;
  const t = tf.tidy(() => tf.add(tf.range(0, n), tf.fill([n], 3)));
  const out = await t.data();
  t.dispose();
  if (out[0] !== 3 || out[n - 1] !== n + 2) throw new Error(`self-test computed ${out[0]}, ${out[n - 1]} instead of 3, ${n + 2}`);
}

async function tryWebGpu(dirs: string[], extensionDir: string, requireHardware: boolean): Promise<SelectedBackend> {
  const dawnIndex = resolveFrom('webgpu/index.js', dirs);
  if (!dawnIndex) {
    throw new Error(`the \`webgpu\` package (Dawn's WebGPU for Node) is not installed (looked in ${dirs.join(', ')}); run \`npm i webgpu\` in your workspace and restart the kernel`);
  }
  const tfjsPath = resolveFrom('@tensorflow/tfjs', [extensionDir]);
  if (!tfjsPath) throw new Error(`@tensorflow/tfjs is missing from ${extensionDir}`);
  const backendModule = resolveFrom('@tensorflow/tfjs-backend-webgpu', [path.dirname(tfjsPath), extensionDir]);
  if (!backendModule) throw new Error('@tensorflow/tfjs-backend-webgpu is not installed next to @tensorflow/tfjs');
  const tf = require(tfjsPath) as Tf;
  const listeners: ((e: Error) => void)[] = [];
  const gpu = await startWebGpu(tf, { dawnIndex, backendModule, requireHardware, onError: (e) => listeners.forEach((l) => l(e)) });
  await gpuSelfTest(tf);
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  const notes = [
    `webgpu: ${gpu.adapter.text}; Dawn ${gpu.dawnOptions.length ? gpu.dawnOptions.join(',') : 'default backend'}, ${gpu.featureLevel} feature level; ` +
    `largest tensor ${mib(Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize))}`,
    gpu.syncReads ? 'webgpu: dataSync()/arraySync()/print() read synchronously through Dawn' :
      'webgpu: no synchronous reads here: dataSync()/arraySync()/print() throw; use await t.data() / await t.array()',
    `webgpu kernel overrides: ${gpu.overrides.join(', ')}`,
  ];
  return {
    choice: 'webgpu', name: 'webgpu', device: `${gpu.adapter.software ? 'software WebGPU, no GPU' : 'GPU, WebGPU'}: ${gpu.adapter.text}`, tf, tfjsPath, notes,
    onGpuError: (l) => listeners.push(l),
  };
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
 * them in {@link AUTO_ORDER}, webgpu only on a hardware adapter. Native packages and Dawn's bindings
 * resolve from `workspaceDir` first, then `extensionDir`.
 */
export async function selectBackend(forced: KernelBackend, workspaceDir: string, extensionDir: string): Promise<SelectedBackend> {
  const order: readonly BackendChoice[] = forced === 'auto' ? AUTO_ORDER : [forced];
  const notes: string[] = [];
  for (const choice of order) {
    try {
      const selected = choice === 'wasm' || choice === 'cpu'
        ? await tryJs(choice, extensionDir)
        : choice === 'webgpu'
          ? await tryWebGpu([workspaceDir, extensionDir], extensionDir, forced === 'auto')
          : await tryNative(choice, [workspaceDir, extensionDir]);
      selected.notes = [...notes, ...selected.notes];
      const corrected = installCpuCorrections(selected.tf);
      if (corrected.length) selected.notes.push(`cpu kernel corrections: ${corrected.join(', ')}`);
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
