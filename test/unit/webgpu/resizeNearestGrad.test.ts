/**
 * The corrected cpu ResizeNearestNeighborGrad (src/engine/corrections) against a numeric gradient.
 * resize is linear in its input, so a central difference with step 1 is exact up to float32
 * rounding: ∂(Σ w ⊙ resize(x))/∂x_i = (f(x + e_i) − f(x − e_i)) / 2. The stock kernel fails the batch
 * of two (it reads dy at the image batch stride) and the half-pixel cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, values } from '../engine/helpers';
import { installCpuCorrections } from '../../../src/engine/corrections/resizeNearestNeighborGrad';
import { relError } from './gpu';

type Case = { shape: [number, number, number, number]; size: [number, number]; alignCorners: boolean; halfPixel: boolean };

const CASES: Case[] = [
  { shape: [2, 2, 2, 1], size: [4, 4], alignCorners: false, halfPixel: false },
  { shape: [3, 4, 5, 2], size: [7, 3], alignCorners: false, halfPixel: false },
  { shape: [2, 4, 4, 2], size: [7, 7], alignCorners: true, halfPixel: false },
  { shape: [2, 6, 6, 1], size: [4, 4], alignCorners: false, halfPixel: true },
  { shape: [2, 3, 5, 3], size: [8, 2], alignCorners: false, halfPixel: true },
];

function numericGradient(c: Case, w: tf.Tensor): Float32Array {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const base = values(n, 5);
  const f = (x: Float32Array) => tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(x, c.shape), c.size, c.alignCorners, c.halfPixel).mul(w).sum().dataSync()[0]);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const up = base.slice();
    const down = base.slice();
    up[i] += 1;
    down[i] -= 1;
    out[i] = (f(up) - f(down)) / 2;
  }
  return out;
}

test('cpu ResizeNearestNeighborGrad equals the numeric gradient for batches > 1, alignCorners and halfPixelCenters', async () => {
  await tf.setBackend('cpu');
  installCpuCorrections(tf);
  const wrong: string[] = [];
  for (const c of CASES) {
    const w = tf.tensor4d(values(c.shape[0] * c.size[0] * c.size[1] * c.shape[3], 9), [c.shape[0], ...c.size, c.shape[3]]);
    const x = tf.tensor4d(values(c.shape.reduce((a, b) => a * b, 1), 5), c.shape);
    const analytic = tf.grad((t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, c.size, c.alignCorners, c.halfPixel).mul(w).sum())(x).dataSync();
    const e = relError(analytic, numericGradient(c, w));
    if (!(e <= 1e-5)) wrong.push(`${JSON.stringify(c)}: relative error ${e}`);
    tf.dispose([w, x]);
  }
  assert.deepEqual(wrong, []);
});
