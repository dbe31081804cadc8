/**
 * WebAssembly modules instantiated over the wasm backend's own memory, so their loops read and write
 * tensors in place: no copies in or out of the heap. One instance per module and memory; undefined
 * when the backend's Emscripten module does not expose its memory or this engine cannot compile the
 * module (no SIMD), and callers then take another path.
 */
import { SIMD_WASM_BASE64 } from './simdWasm';
import type { TensorInfo, WasmBackend } from './types';

/** The exported loops of simd.wat; pointers are byte offsets into the backend's heap. */
export interface SimdKernels {
  /** Adam's update of one variable; returns Σg² (float64). */
  adam(g: number, m: number, v: number, w: number, mo: number, vo: number, wo: number, n: number,
    b1: number, b2: number, omb1: number, omb2: number, c1: number, c2: number, eps: number, nlr: number): number;
  clamp(x: number, out: number, n: number, lo: number, hi: number): void;
}

interface Compiled {
  module: WebAssembly.Module;
  instances: WeakMap<WebAssembly.Memory, WebAssembly.Exports>;
}

/** By the module's base64 text; null once it failed to compile here. */
const modules = new Map<string, Compiled | null>();

/** The exports of the module `base64` instantiated over `backend`'s memory, or undefined (see above). */
export function instanceOver<T>(base64: string, backend: unknown): T | undefined {
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } } | null)?.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let compiled = modules.get(base64);
  if (compiled === undefined) {
    try {
      compiled = { module: new WebAssembly.Module(Buffer.from(base64, 'base64')), instances: new WeakMap() };
    } catch {
      compiled = null;
    }
    modules.set(base64, compiled);
  }
  if (compiled === null) return undefined;
  let exports = compiled.instances.get(memory);
  if (!exports) {
    exports = new WebAssembly.Instance(compiled.module, { env: { memory } }).exports;
    compiled.instances.set(memory, exports);
  }
  return exports as unknown as T;
}

/** simd.wat bound to `backend`'s memory, or undefined. */
export function simdFor(backend: WasmBackend): SimdKernels | undefined {
  return instanceOver<SimdKernels>(SIMD_WASM_BASE64, backend);
}

/** The byte offset of `t`'s data in `backend`'s heap. */
export function offsetOf(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
