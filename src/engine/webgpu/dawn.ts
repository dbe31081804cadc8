/**
 * Loads Dawn's Node bindings (npm `webgpu`) and makes them the process's WebGPU: `navigator.gpu`
 * and the `GPU*` globals that tfjs-backend-webgpu reads at import and at run time.
 *
 * It also keeps hold of Dawn's event pump. dawn.node settles every asynchronous WebGPU call
 * (`mapAsync`, `onSubmittedWorkDone`, device loss, error events) from one native callback that it
 * hands to `setImmediate`; calling that callback processes Dawn's events on the spot. That is what
 * lets {@link DawnRuntime.pump} wait for a buffer map without returning to the event loop, and so
 * lets `dataSync()` work (syncRead.ts). It is an internal of dawn.node: `pump` is undefined when
 * none was seen, and syncRead.ts self-tests it before relying on it.
 *
 * @example
 * const dawn = await loadDawn('/ws/node_modules/webgpu/index.js', ['backend=opengles']);
 * const adapter = await dawn.requestAdapter();
 */
import { pathToFileURL } from 'node:url';
import type { Gpu, GpuAdapter } from './types';

/** The loaded bindings. */
export interface DawnRuntime {
  gpu: Gpu;
  /** The options passed to Dawn's `create`. */
  options: string[];
  /** Processes Dawn's pending events now; undefined when dawn.node's pump was not found. */
  pump?: () => void;
  /** An adapter: the core feature level first, then compatibility (OpenGL ES); null when none. */
  requestAdapter(): Promise<{ adapter: GpuAdapter; featureLevel: 'core' | 'compatibility' } | null>;
}

// esbuild turns `import()` in a CommonJS bundle into a require; a Function keeps the real one (the
// `webgpu` package is an ES module).
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

let loaded: DawnRuntime | undefined;

function isNative(fn: unknown): fn is () => void {
  return typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');
}

/**
 * Loads the bindings at `indexPath` (the `webgpu` package's index.js) once per process and installs
 * them as the process's WebGPU. `options` go to Dawn's `create` (e.g. `backend=vulkan`,
 * `backend=opengles`); with `backend=opengles` and no `EGL_PLATFORM` set, EGL runs surfaceless.
 */
export async function loadDawn(indexPath: string, options: string[]): Promise<DawnRuntime> {
  if (loaded) return loaded;
  if (process.versions.electron) {
    throw new Error(`Dawn's WebGPU bindings do not load in Electron's Node (${process.versions.electron}); the kernel must run on a real node (setting gradscope.kernel.node)`);
  }
  if (options.some((o) => /^backend=(opengles|gles)$/i.test(o)) && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const mod = (await nativeImport(pathToFileURL(indexPath).href)) as { create(o: string[]): Gpu; globals: Record<string, unknown> };
  const runtime: DawnRuntime = {
    gpu: undefined as unknown as Gpu,
    options,
    requestAdapter: async () => {
      for (const featureLevel of ['core', 'compatibility'] as const) {
        const adapter = await runtime.gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel });
        if (adapter) return { adapter, featureLevel };
      }
      return null;
    },
  };
  // Watch setImmediate for dawn.node's native pump from before `create` on (it may be handed over
  // at any later point, so the watch stays).
  const g = globalThis as Record<string, unknown>;
  const original = g.setImmediate as (fn: (...a: unknown[]) => void, ...rest: unknown[]) => unknown;
  const watched = function (this: unknown, fn: (...a: unknown[]) => void, ...rest: unknown[]) {
    if (fn.length === 0 && isNative(fn)) runtime.pump = fn as () => void;
    return original.call(this, fn, ...rest);
  };
  Object.assign(watched, original);
  g.setImmediate = watched;
  for (const [name, value] of Object.entries(mod.globals)) if (g[name] === undefined) g[name] = value;
  runtime.gpu = mod.create(options);
  const nav = (g.navigator ??= {}) as Record<string, unknown>;
  Object.defineProperty(nav, 'gpu', { value: runtime.gpu, configurable: true, writable: true });
  loaded = runtime;
  return runtime;
}

/** The Dawn options a user asked for in `GRADSCOPE_DAWN_OPTIONS` (comma-separated, e.g. `backend=opengles`). */
export function dawnOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.GRADSCOPE_DAWN_OPTIONS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
