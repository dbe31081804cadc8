/**
 * Norms of gradients in float32. Sensitivities can be tiny (1e-25 squares to 0 in float32) or huge,
 * so their norm is taken as scale · ‖t / scale‖ with scale = max|t| and combined in float64. Weight
 * gradients and weight deltas, which are large tensors, use a plain sum of squares (one fused pass;
 * the scaled form costs ~6× more on wasm): their norms underflow to 0 only below ~1e-19 per element
 * and overflow to Infinity above ~1e19, both far outside what any rule needs to tell apart.
 */
import * as tf from '@tensorflow/tfjs';

/** The pieces of an l2 norm: ‖t‖ = scale · sqrt(sumSq) over `size` elements; `max` = max|t| when known. */
export interface NormParts {
  sumSq: tf.Scalar;
  scale?: tf.Scalar;
  max?: tf.Scalar;
  size: number;
}

/** The same pieces read back as numbers. */
export interface NormNumbers {
  sumSq: number;
  scale?: number;
  max?: number;
  size: number;
}

// Below this max|t| the tensor is treated as zero for scaling (keeps the division finite, float32 normal range).
const TINY = 1e-30;

/** max|t| and Σ(t / max|t|)²: exact for any float32 magnitude. */
export function scaledNorm(t: tf.Tensor): NormParts {
  return tf.tidy(() => {
    const max = tf.max(tf.abs(t)) as tf.Scalar;
    const scale = tf.maximum(max, TINY) as tf.Scalar;
    const u = tf.div(t, scale);
    return { max, scale, sumSq: tf.sum(tf.mul(u, u)) as tf.Scalar, size: t.size };
  });
}

/** max|t| and plain Σt² (4 kernels instead of 6); see {@link needsRescale} for when to redo it scaled. */
export function maxAndSumSq(t: tf.Tensor): NormParts {
  return tf.tidy(() => ({ max: tf.max(tf.abs(t)) as tf.Scalar, sumSq: tf.sum(tf.mul(t, t)) as tf.Scalar, size: t.size }));
}

/** True when a plain Σt² under- or overflowed float32 although max|t| is a finite non-zero number. */
export function needsRescale(parts: NormNumbers[]): boolean {
  return parts.some((p) => p.scale === undefined && p.max !== undefined && Number.isFinite(p.max) && p.max > 0
    && (p.sumSq === 0 || !Number.isFinite(p.sumSq) || p.sumSq < p.max * p.max));
}

/** Σt² in one pass (see the file comment for its range). */
export function plainNorm(t: tf.Tensor): NormParts {
  return tf.tidy(() => ({ sumSq: tf.sum(tf.mul(t, t)) as tf.Scalar, size: t.size }));
}

/** The tensors of some parts, in the order {@link readNorms} expects them back. */
export function normTensors(parts: NormParts[]): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const p of parts) {
    out.push(p.sumSq);
    if (p.scale) out.push(p.scale);
    if (p.max) out.push(p.max);
  }
  return out;
}

/** Reads parts back from `v` starting at `at` (as laid out by {@link normTensors}); returns the numbers and the next index. */
export function readNorms(parts: NormParts[], v: ArrayLike<number>, at: number): { nums: NormNumbers[]; next: number } {
  const nums: NormNumbers[] = [];
  for (const p of parts) {
    const n: NormNumbers = { sumSq: v[at++], size: p.size };
    if (p.scale) n.scale = v[at++];
    if (p.max) n.max = v[at++];
    nums.push(n);
  }
  return { nums, next: at };
}

/** Disposes the tensors of some parts. */
export function disposeNorms(parts: NormParts[]): void {
  for (const p of parts) tf.dispose([p.sumSq, p.scale, p.max].filter((t): t is tf.Scalar => !!t));
}

/** l2 norm, RMS and max |·| (NaN when unknown) of several parts taken together. */
export function combineNorms(parts: NormNumbers[]): { norm: number; rms: number; max: number } {
  let total = 0;
  let size = 0;
  let max = 0;
  for (const p of parts) {
    const m = p.max ?? NaN;
    if (p.max !== undefined && Number.isNaN(m)) return { norm: NaN, rms: NaN, max: NaN };
    // An infinite entry makes t / max NaN; the norm is infinite all the same.
    if (m === Infinity) return { norm: Infinity, rms: Infinity, max: Infinity };
    if (Number.isNaN(p.sumSq)) return { norm: NaN, rms: NaN, max: NaN };
    const s = p.scale ?? 1;
    total += s * s * p.sumSq;
    size += p.size;
    max = Math.max(max, m);
  }
  const norm = Math.sqrt(total);
  return { norm, rms: size > 0 ? norm / Math.sqrt(size) : 0, max };
}
