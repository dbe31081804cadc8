/**
 * The SIMD loops of simd.wat, instantiated over the wasm backend's own memory so they read and write
 * tensors in place: no copies in or out of the heap. One instance per memory; undefined when the
 * backend's Emscripten module does not expose its memory (then callers take the stock path).
 */
import { SIMD_WASM_BASE64 } from './simdWasm';
import type { WasmBackend } from './types';

/** The exported loops; pointers are byte offsets into the backend's heap. */
export interface SimdKernels {
  /** Adam's update of one variable; returns Σg² (float64). */
  adam(g: number, m: number, v: number, w: number, mo: number, vo: number, wo: number, n: number,
    b1: number, b2: number, omb1: number, omb2: number, c1: number, c2: number, eps: number, nlr: number): number;
  clamp(x: number, out: number, n: number, lo: number, hi: number): void;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
let compiled: WebAssembly.Module | undefined;

/** The loops bound to `backend`'s memory, or undefined when its memory is not reachable. */
export function simdFor(backend: WasmBackend): SimdKernels | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (!kernels) {
    compiled ??= new WebAssembly.Module(Buffer.from(SIMD_WASM_BASE64, 'base64'));
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}
