/**
 * Statistics of tensors computed in JavaScript on the values the backend already holds in host
 * memory. On wasm (the tensor's bytes in the module heap) and cpu (a typed array) reading them costs
 * no copy, and one float64 loop over them is cheaper than the two to four engine kernels per tensor a
 * reduction takes there (each kernel costs a fixed 20–40 µs on wasm whatever its size). Sums of
 * squares accumulate float32 values in float64, so they neither underflow nor overflow for any
 * finite float32 input (1e-25² and 1e25² are exact to rounding), which kernels in float32 cannot do.
 */
import * as tf from '@tensorflow/tfjs';

/** What the wasm backend exposes to read a tensor in its heap (tfjs-backend-wasm 4.x). */
interface HeapBackend {
  typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array | Int32Array | Uint8Array;
  dataIdMap?: { has(dataId: object): boolean };
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

/** True when every tensor can be read without a copy. */
export function allOnHost(ts: readonly tf.Tensor[]): boolean {
  const backend = tf.getBackend();
  return (backend === 'wasm' || backend === 'cpu') && ts.every((t) => hostView(t) !== undefined);
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

/** Σ(now − before)² and Σbefore² in float64, in one pass over two arrays of the same length. */
export function deltaAndBase(now: ArrayLike<number>, before: ArrayLike<number>): { delta: number; base: number } {
  let d0 = 0, d1 = 0, b0 = 0, b1 = 0;
  const n = now.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = before[i], w1 = before[i + 1];
    const e0 = now[i] - w0, e1 = now[i + 1] - w1;
    d0 += e0 * e0; d1 += e1 * e1; b0 += w0 * w0; b1 += w1 * w1;
  }
  for (; i < n; i++) {
    const w = before[i], e = now[i] - w;
    d0 += e * e; b0 += w * w;
  }
  return { delta: d0 + d1, base: b0 + b1 };
}

/** Σv² and max|v| in one pass; max is NaN when some value is NaN (as tf.max would report it). */
export function sumSqAndMax(v: ArrayLike<number>): { sumSq: number; max: number } {
  let s0 = 0, s1 = 0, m = 0;
  const n = v.length;
  let i = 0;
  // Math.max/abs rather than comparisons: no data-dependent branches, and Math.max passes NaN on.
  for (; i + 1 < n; i += 2) {
    const x0 = v[i], x1 = v[i + 1];
    s0 += x0 * x0; s1 += x1 * x1;
    m = Math.max(m, Math.abs(x0), Math.abs(x1));
  }
  for (; i < n; i++) { const x = v[i]; s0 += x * x; m = Math.max(m, Math.abs(x)); }
  return { sumSq: s0 + s1, max: m };
}

/** The global l2 norm of some sums of squares (each a tensor's Σg²). */
export function normOf(sums: Iterable<number>): number {
  let t = 0;
  for (const s of sums) t += s;
  return Math.sqrt(t);
}
