/**
 * Every gradient a training step commonly needs, on wasm with Gradscope's overrides and fallbacks,
 * against the cpu backend (tfjs's reference): activations, losses, pooling, convolutions, batch
 * norm, reductions, reshaping ops. A kernel override or a stock wasm kernel that gets a gradient
 * wrong fails here by name (the MaxPoolGrad bug was found this way).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { onBackend, stockWasm, tf, useWasm, values } from './helpers';

type Op = [shape: number[], f: (x: tf.Tensor) => tf.Tensor];
const w4 = (n: number, shape: [number, number, number, number], seed: number) => tf.tensor4d(values(n, seed), shape);
const m45 = (seed: number, shift = 0) => tf.tensor2d(values(20, seed).map((v) => v + shift), [4, 5]);

const OPS: Record<string, Op> = {
  sigmoid: [[4, 5], (x) => tf.sigmoid(x)],
  tanh: [[4, 5], (x) => tf.tanh(x)],
  elu: [[4, 5], (x) => tf.elu(x)],
  selu: [[4, 5], (x) => tf.selu(x)],
  leakyRelu: [[4, 5], (x) => tf.leakyRelu(x, 0.3)],
  relu: [[4, 5], (x) => tf.relu(x)],
  relu6: [[4, 5], (x) => tf.relu6(x.mul(4))],
  prelu: [[4, 5], (x) => tf.prelu(x, tf.fill([5], 0.2))],
  softplus: [[4, 5], (x) => tf.softplus(x)],
  softmax: [[4, 5], (x) => tf.softmax(x)],
  logSoftmax: [[4, 5], (x) => tf.logSoftmax(x)],
  softmaxCrossEntropy: [[4, 5], (x) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 4, 2], 'int32'), 5), x)],
  sigmoidCrossEntropy: [[4, 5], (x) => tf.losses.sigmoidCrossEntropy(m45(3).greater(0).toFloat(), x)],
  huberLoss: [[4, 5], (x) => tf.losses.huberLoss(tf.zeros([4, 5]), x)],
  logLoss: [[4, 5], (x) => tf.losses.logLoss(tf.fill([4, 5], 0.3), tf.sigmoid(x))],
  avgPoolSame: [[2, 6, 6, 3], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same')],
  avgPoolValid: [[2, 6, 6, 3], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')],
  maxPoolOverlapping: [[2, 7, 7, 3], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')],
  maxPool: [[2, 6, 6, 4], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')],
  conv2d: [[2, 7, 7, 3], (x) => tf.conv2d(x as tf.Tensor4D, w4(108, [3, 3, 3, 4], 5), 2, 'same')],
  conv2dStride1: [[2, 7, 7, 3], (x) => tf.conv2d(x as tf.Tensor4D, w4(108, [3, 3, 3, 4], 5), 1, 'valid')],
  depthwiseConv2d: [[2, 7, 7, 3], (x) => tf.depthwiseConv2d(x as tf.Tensor4D, w4(54, [3, 3, 3, 2], 6), 1, 'same')],
  conv2dTranspose: [[2, 4, 4, 3], (x) => tf.conv2dTranspose(x as tf.Tensor4D, w4(135, [3, 3, 5, 3], 7), [2, 8, 8, 5], 2, 'same')],
  conv1d: [[2, 9, 3], (x) => tf.conv1d(x as tf.Tensor3D, tf.tensor3d(values(36, 8), [3, 3, 4]), 2, 'same')],
  batchNorm: [[4, 5], (x) => tf.batchNorm(x, x.mean(0), x.sub(x.mean(0)).square().mean(0), tf.fill([5], 0.1), tf.fill([5], 1.5), 1e-3)],
  moments: [[4, 5], (x) => { const m = tf.moments(x, 0); return m.mean.add(m.variance); }],
  localResponseNorm: [[1, 4, 4, 6], (x) => tf.localResponseNormalization(x as tf.Tensor4D, 2)],
  matMulTransposed: [[4, 5], (x) => tf.matMul(x, tf.tensor2d(values(30, 9), [6, 5]), false, true)],
  concat: [[4, 5], (x) => tf.concat([x, x.mul(2)], 1)],
  gather: [[6, 5], (x) => tf.gather(x, tf.tensor1d([0, 2, 2, 5], 'int32'))],
  unsortedSegmentSum: [[6, 3], (x) => tf.unsortedSegmentSum(x, tf.tensor1d([0, 2, 1, 0, 2, 2], 'int32'), 3)],
  pad: [[4, 5], (x) => tf.pad(x, [[1, 2], [0, 1]])],
  mirrorPad: [[4, 5], (x) => tf.mirrorPad(x, [[1, 1], [2, 2]], 'reflect')],
  tile: [[2, 3], (x) => tf.tile(x, [2, 2])],
  transpose: [[2, 3, 4], (x) => tf.transpose(x, [2, 0, 1])],
  reverse: [[4, 5], (x) => tf.reverse(x, 1)],
  broadcastAdd: [[4, 1], (x) => tf.add(x, tf.ones([4, 5]))],
  resizeBilinear: [[1, 4, 4, 2], (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 7])],
  resizeNearest: [[1, 4, 4, 2], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [7, 7])],
  max: [[4, 5], (x) => tf.max(x, 1)],
  min: [[4, 5], (x) => tf.min(x, 0)],
  prod: [[4, 5], (x) => tf.prod(x, 1)],
  cumsum: [[4, 5], (x) => tf.cumsum(x, 1)],
  mean: [[3, 4, 5], (x) => tf.mean(x, [0, 2])],
  sum: [[3, 4, 5], (x) => tf.sum(x, 1, true)],
  norm: [[4, 5], (x) => tf.norm(x)],
  maximum: [[4, 5], (x) => tf.maximum(x, 0)],
  minimum: [[4, 5], (x) => tf.minimum(x, m45(4))],
  clipByValue: [[4, 5], (x) => tf.clipByValue(x, -0.5, 0.5)],
  abs: [[4, 5], (x) => tf.abs(x)],
  sqrt: [[4, 5], (x) => tf.sqrt(tf.abs(x).add(0.1))],
  rsqrt: [[4, 5], (x) => tf.rsqrt(tf.abs(x).add(0.2))],
  pow: [[4, 5], (x) => tf.pow(tf.abs(x).add(0.1), 2.5)],
  exp: [[4, 5], (x) => tf.exp(x)],
  log1p: [[4, 5], (x) => tf.log1p(tf.abs(x))],
  erf: [[4, 5], (x) => tf.erf(x)],
  atan2: [[4, 5], (x) => tf.atan2(x, m45(4))],
  div: [[4, 5], (x) => tf.div(x, m45(5, 3))],
  squaredDifference: [[4, 5], (x) => tf.squaredDifference(x, 0.3)],
  oneHotMask: [[4, 5], (x) => tf.mul(x, tf.oneHot(tf.argMax(x, 1), 5))],
};

/** ∂(Σ w ⊙ op(x))/∂x for every op on `backend` (fixed x and w per op). */
async function gradients(backend: string): Promise<Map<string, Float32Array>> {
  await onBackend(backend);
  const out = new Map<string, Float32Array>();
  for (const [name, [shape, f]] of Object.entries(OPS)) {
    out.set(name, tf.tidy(() => {
      const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1), name.length * 13 + 7).map((v) => v * 2), shape);
      const y = f(x);
      const w = tf.tensor(values(y.size, 99).map((v) => v * 2), y.shape);
      return tf.grad((t: tf.Tensor) => f(t).mul(w).sum())(x).dataSync() as Float32Array;
    }));
  }
  return out;
}

describe('gradients on wasm equal the cpu backend\'s', () => {
  before(useWasm);
  after(stockWasm);

  test(`${Object.keys(OPS).length} ops: every gradient within 1e-4 relative of cpu`, async () => {
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    const wrong: string[] = [];
    for (const [name, want] of cpu) {
      const got = wasm.get(name)!;
      const bad = want.findIndex((v, i) => !(Math.abs(got[i] - v) <= 1e-4 * Math.max(1e-3, Math.abs(v))));
      if (bad >= 0) wrong.push(`${name}[${bad}]: wasm ${got[bad]}, cpu ${want[bad]}`);
    }
    assert.deepEqual(wrong, []);
  });
});
