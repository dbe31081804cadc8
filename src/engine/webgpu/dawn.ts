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
  readonly pump?: () => void;
  /** An adapter: the core feature level first, then compatibility (OpenGL ES); null when none. */
  requestAdapter(): Promise<{ adapter: GpuAdapter; featureLevel: 'core' | 'compatibility' } | null>;
}

// esbuild turns `import()` in a CommonJS bundle into a require; a Function keeps the real one (the
// `webgpu` package is an ES module).
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

/** One runtime per set of create options (Dawn allows several instances in a process). */
const loaded = new Map<string, DawnRuntime>();
let watching = false;

function isNative(fn: unknown): fn is () => void {
  return typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');
}

/**
 * Loads the bindings at `indexPath` (the `webgpu` package's index.js), makes a Dawn instance with
 * `options` (once per distinct `options`) and installs it as the process's WebGPU. `options` go to Dawn's `create` (e.g. `backend=vulkan`,
 * `backend=opengles`); with `backend=opengles` and no `EGL_PLATFORM` set, EGL runs surfaceless.
 */
export async function loadDawn(indexPath: string, options: string[]): Promise<DawnRuntime> {
  const key = options.join(',');
  const known = loaded.get(key);
  if (known) return setNavigatorGpu(known);
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
  if (!watching) {
    watching = true;
    const original = g.setImmediate as (fn: (...a: unknown[]) => void, ...rest: unknown[]) => unknown;
    const watched = function (this: unknown, fn: (...a: unknown[]) => void, ...rest: unknown[]) {
      if (fn.length === 0 && isNative(fn)) pump = fn as () => void;
      return original.call(this, fn, ...rest);
    };
    Object.assign(watched, original);
    g.setImmediate = watched;
  }
  for (const [name, value] of Object.entries(mod.globals)) if (g[name] === undefined) g[name] = value;
  runtime.gpu = mod.create(options);
  Object.defineProperty(runtime, 'pump', { get: () => pump, enumerable: true });
  loaded.set(key, runtime);
  return setNavigatorGpu(runtime);
}

/**
 * dawn.node's pump, the latest seen. There is one per Dawn instance, handed over when the instance
 * first has work in flight, so read it right after the instance's device is made (index.ts does).
 */
let pump: (() => void) | undefined;

function setNavigatorGpu(runtime: DawnRuntime): DawnRuntime {
  const g = globalThis as Record<string, unknown>;
  const nav = (g.navigator ??= {}) as Record<string, unknown>;
  Object.defineProperty(nav, 'gpu', { value: runtime.gpu, configurable: true, writable: true });
  return runtime;
}

/** The Dawn options a user asked for in `GRADSCOPE_DAWN_OPTIONS` (comma-separated, e.g. `backend=opengles`). */
export function dawnOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.GRADSCOPE_DAWN_OPTIONS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
