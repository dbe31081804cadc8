/**
 * The kernel-free statistics the diagnostics take of tensors (hostValues.ts): on wasm through
 * stats.wat's SIMD loops over the backend's heap, on cpu in JavaScript. Both must equal a float64
 * reference computed from the tensor's values, at every length (vector body and scalar tail) and for
 * the values that break float32 sums: tiny, huge, infinite, NaN.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { countOutside, hostView, momentsOf, sqDiffOf, sumSqOf } from '../../../src/engine/hostValues';

const close = (got: number, want: number, what: string) =>
  assert.ok(Object.is(got, want) || Math.abs(got - want) <= 1e-12 * Math.abs(want), `${what}: ${got} vs ${want}`);

/** float32 values of every sort, `n` of them, from a seed. */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Float32Array.from({ length: n }, () => {
    const r = rnd();
    const scale = r < 0.1 ? 1e-25 : r < 0.2 ? 1e25 : r < 0.25 ? 1e-40 : 1;
    return (rnd() * 2 - 1) * scale;
  });
}

function reference(v: Float32Array, w?: Float32Array) {
  let sum = 0, sq = 0, diff = 0, max = 0;
  v.forEach((x, i) => {
    sum += x; sq += x * x; max = Math.max(max, Math.abs(x));
    if (w) diff += (x - w[i]) * (x - w[i]);
  });
  return { sum, sq, diff, max };
}

describe('kernel-free tensor statistics', () => {
  for (const backend of ['wasm', 'cpu']) {
    test(`equal a float64 reference at every length, tiny and huge values included (${backend})`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      for (const n of [0, 1, 3, 4, 5, 8, 17, 1001]) {
        const v = values(n, n + 1);
        const w = values(n, n + 7);
        const a = tf.tensor1d(v);
        const b = tf.tensor1d(w);
        const r = reference(v, w);
        close(sumSqOf(a), r.sq, `Σx², n=${n}`);
        const d = sqDiffOf(a, b);
        close(d.diff, r.diff, `Σ(x−y)², n=${n}`);
        close(d.base, reference(w).sq, `Σy², n=${n}`);
        const m = momentsOf(a);
        close(m.sum, r.sum, `Σx, n=${n}`);
        close(m.sumSq, r.sq, `moments Σx², n=${n}`);
        assert.equal(m.max, r.max, `max|x|, n=${n}`);
        const f = Math.fround;
        assert.equal(countOutside(a, -0.5, 0.5), Array.from(v).filter((x) => x < f(-0.5) || x > f(0.5)).length, `outside, n=${n}`);
        assert.deepEqual(Array.from(hostView(a) ?? []), Array.from(v));
        tf.dispose([a, b]);
      }
    });

    test(`infinities and NaN come out as tf.max and a float64 sum see them (${backend})`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      for (const at of [0, 2, 5, 6]) {
        const base = [0.5, -2, 0.25, 3, -1, 0.75, 1.5];
        const inf = base.slice(); inf[at] = -Infinity;
        const nan = base.slice(); nan[at] = NaN;
        const ti = tf.tensor1d(inf);
        const tn = tf.tensor1d(nan);
        assert.deepEqual(momentsOf(ti), { sum: -Infinity, sumSq: Infinity, max: Infinity }, `−∞ at ${at}`);
        const mn = momentsOf(tn);
        assert.ok(Number.isNaN(mn.sum) && Number.isNaN(mn.sumSq) && Number.isNaN(mn.max), `NaN at ${at}`);
        assert.equal(sumSqOf(ti), Infinity);
        // NaN is neither below nor above a threshold, as the comparison kernels answer.
        assert.equal(countOutside(tn, 0, 1), base.filter((x, i) => i !== at && (x < 0 || x > 1)).length);
        // ReLU's "positive" count: > 0 only (−0 and 0 are not).
        const z = tf.tensor1d([0, -0, 1e-45, 2, -3]);
        assert.equal(countOutside(z, -Infinity, 0), 2);
        tf.dispose([ti, tn, z]);
      }
    });
  }
});
