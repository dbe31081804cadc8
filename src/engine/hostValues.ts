/**
 * Statistics of tensors computed on the values the backend already holds in host memory, without
 * engine kernels (each has a fixed cost on wasm whatever its size, and a reduction takes two to four
 * of them per tensor). On wasm they run in stats.wat's SIMD loops over the backend's own heap;
 * on cpu in JavaScript over its typed arrays; elsewhere (native, GPU) in JavaScript over a copy, so
 * callers with large tensors there keep kernels ({@link allOnHost}). Sums accumulate float32 values
 * in float64, so they neither underflow nor overflow for any finite float32 input (1e-25² and 1e25²
 * are exact to rounding), which kernels in float32 cannot do.
 */
import * as tf from '@tensorflow/tfjs';
import { instanceOver } from './wasm/simd';
import { STATS_WASM_BASE64 } from './statsWasm';

/** What the wasm backend exposes to read a tensor in its heap (tfjs-backend-wasm 4.x). */
interface HeapBackend {
  typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array | Int32Array | Uint8Array;
  dataIdMap?: { has(dataId: object): boolean; get(dataId: object): { memoryOffset: number } };
}

/** The exports of stats.wat; pointers are byte offsets into the backend's heap. */
interface StatsKernels {
  sumsq(p: number, n: number): number;
  sqdiff(p: number, q: number, n: number): [number, number];
  moments(p: number, n: number): [number, number, number];
  outside(p: number, n: number, lo: number, hi: number): number;
}

/** stats.wat bound to one backend's memory, and the heap offset of a float32 tensor that backend holds. */
interface Bound {
  k: StatsKernels;
  at(t: tf.Tensor): number | undefined;
}

const bound = new WeakMap<object, Bound>();

/** stats.wat for the current backend when it is wasm (bound once per backend object), else undefined. */
function simd(): Bound | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const be = tf.backend() as unknown as HeapBackend;
  const known = bound.get(be);
  if (known) return known;
  const map = be.dataIdMap;
  if (typeof map?.get !== 'function') return undefined;
  // Undefined without the heap's memory or without SIMD: the JavaScript loops below do the same, slower.
  const k = instanceOver<StatsKernels>(STATS_WASM_BASE64, be);
  if (!k) return undefined;
  const b: Bound = {
    k,
    at: (t) => (t.dtype === 'float32' && !t.isDisposed && map.has(t.dataId) ? map.get(t.dataId).memoryOffset : undefined),
  };
  bound.set(be, b);
  return b;
}

/**
 * Σx² of each tensor, in float64, when the backend holds them all on the host (wasm, cpu); undefined
 * when some would need a download (the caller then reduces with kernels). One lookup per tensor.
 */
export function sumsSqOnHost(ts: readonly tf.Tensor[]): number[] | undefined {
  const s = simd();
  if (s) {
    const ps = ts.map((t) => s.at(t));
    if (ps.some((p) => p === undefined)) return undefined;
    return ts.map((t, i) => (t.size === 0 ? 0 : s.k.sumsq(ps[i]!, t.size)));
  }
  return allOnHost(ts) ? ts.map((t) => sumSq(valuesOf(t))) : undefined;
}

/** Σx² of a tensor, in float64. */
export function sumSqOf(t: tf.Tensor): number {
  const s = simd();
  const p = s?.at(t);
  if (s && p !== undefined) return t.size === 0 ? 0 : s.k.sumsq(p, t.size);
  return sumSq(valuesOf(t));
}

/** Σ(a − b)² and Σb² of two tensors of the same size, in float64 (one pass on wasm). */
export function sqDiffOf(a: tf.Tensor, b: tf.Tensor): { diff: number; base: number } {
  const s = simd();
  const p = s?.at(a);
  const q = s?.at(b);
  if (s && p !== undefined && q !== undefined && a.size > 0) {
    const [diff, base] = s.k.sqdiff(p, q, a.size);
    return { diff, base };
  }
  const v = valuesOf(a);
  const w = valuesOf(b);
  let diff = 0, base = 0;
  for (let i = 0; i < v.length; i++) { const d = v[i] - w[i]; diff += d * d; base += w[i] * w[i]; }
  return { diff, base };
}

/** Σx, Σx² (float64) and max|x| of a tensor; max is NaN when some x is NaN (as tf.max reports it). */
export function momentsOf(t: tf.Tensor): { sum: number; sumSq: number; max: number } {
  const s = simd();
  const p = s?.at(t);
  if (s && p !== undefined && t.size > 0) {
    const [sum, sq, max] = s.k.moments(p, t.size);
    // The SIMD max skips NaN; Σx² is NaN exactly when some x is.
    return { sum, sumSq: sq, max: Number.isNaN(sq) ? NaN : max };
  }
  const v = valuesOf(t);
  let sum = 0, sq = 0, max = 0;
  for (let i = 0; i < v.length; i++) { const x = v[i]; sum += x; sq += x * x; max = Math.max(max, Math.abs(x)); }
  return { sum, sumSq: sq, max };
}

/** How many values of a tensor are < lo or > hi, compared in float32 (NaN is neither). */
export function countOutside(t: tf.Tensor, lo: number, hi: number): number {
  const s = simd();
  const p = s?.at(t);
  if (s && p !== undefined) return t.size === 0 ? 0 : s.k.outside(p, t.size, lo, hi);
  const v = valuesOf(t);
  const l = Math.fround(lo);
  const h = Math.fround(hi);
  let c = 0;
  for (let i = 0; i < v.length; i++) if (v[i] < l || v[i] > h) c++;
  return c;
}

/**
 * The values of `t` without a copy, when the backend keeps them in host memory (wasm, cpu), else
 * undefined (native and GPU backends, where reading means a download). Read them at once and never
 * write into them: a wasm view is invalidated by the next tensor operation that grows the heap.
 */
export function hostView(t: tf.Tensor): ArrayLike<number> | undefined {
  if (t.isDisposed || t.dtype === 'string' || t.dtype === 'complex64') return undefined;
  const backend = tf.getBackend();
  if (backend === 'cpu') return t.dataSync();
  if (backend !== 'wasm') return undefined;
  const be = tf.backend() as unknown as HeapBackend;
  if (typeof be.typedArrayFromHeap !== 'function' || !be.dataIdMap?.has(t.dataId)) return undefined;
  if (t.size === 0) return new Float32Array(0);
  return be.typedArrayFromHeap(t);
}

/** The values of `t`: a view when the backend allows it (see {@link hostView}), else a copy. */
export function valuesOf(t: tf.Tensor): ArrayLike<number> {
  return hostView(t) ?? (t.dataSync() as ArrayLike<number>);
}

/** True when every tensor can be read without a copy (so {@link sumSqOf} and the others cost no download). */
export function allOnHost(ts: readonly tf.Tensor[]): boolean {
  const backend = tf.getBackend();
  if (backend === 'cpu') return ts.every((t) => !t.isDisposed && t.dtype !== 'string' && t.dtype !== 'complex64');
  const s = simd();
  if (s) return ts.every((t) => s.at(t) !== undefined);
  return backend === 'wasm' && ts.every((t) => hostView(t) !== undefined);
}

/** Σv² in float64 (four accumulators: the loop is bound by the dependency of one sum otherwise). */
export function sumSq(v: ArrayLike<number>): number {
  let a = 0, b = 0, c = 0, d = 0;
  const n = v.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const x0 = v[i], x1 = v[i + 1], x2 = v[i + 2], x3 = v[i + 3];
    a += x0 * x0; b += x1 * x1; c += x2 * x2; d += x3 * x3;
  }
  for (; i < n; i++) a += v[i] * v[i];
  return a + b + c + d;
}
