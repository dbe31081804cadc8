/**
 * Norms that survive float32: a sum of squares of gradients of 1e-25 underflows to 0 and one of 1e20
 * overflows, so every norm is taken as max|t| times the norm of t / max|t| and combined in float64.
 */
import * as tf from '@tensorflow/tfjs';

/** The pieces of a scaled l2 norm: ‖t‖ = max · sqrt(sumSq), with `size` elements. */
export interface NormParts {
  max: tf.Scalar;
  sumSq: tf.Scalar;
  size: number;
}

/** Splits the l2 norm of `t` into max|t| and Σ(t / max|t|)², both float32 scalars. */
export function scaledNorm(t: tf.Tensor): NormParts {
  return tf.tidy(() => {
    const max = tf.max(tf.abs(t)) as tf.Scalar;
    // divNoNan: an all-zero t gives 0 instead of 0/0.
    const sumSq = tf.sum(tf.square(tf.divNoNan(t, max))) as tf.Scalar;
    return { max, sumSq, size: t.size };
  });
}

/** l2 norm, RMS and max |·| of several parts (read back as numbers) taken together. */
export function combineNorms(parts: { max: number; sumSq: number; size: number }[]): { norm: number; rms: number; max: number } {
  let total = 0;
  let size = 0;
  let max = 0;
  for (const p of parts) {
    if (Number.isNaN(p.max)) return { norm: NaN, rms: NaN, max: NaN };
    // An infinite entry makes t / max NaN; the norm is infinite all the same.
    if (p.max === Infinity) return { norm: Infinity, rms: Infinity, max: Infinity };
    if (!Number.isFinite(p.sumSq)) return { norm: NaN, rms: NaN, max: NaN };
    total += p.max * p.max * p.sumSq;
    size += p.size;
    max = Math.max(max, p.max);
  }
  const norm = Math.sqrt(total);
  return { norm, rms: size > 0 ? norm / Math.sqrt(size) : 0, max };
}
