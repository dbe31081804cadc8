import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { onBackend, stockWasm, tf, useWasm, values } from './helpers';

/** ∂(Σ w·maxPool(x))/∂x on `backend`, w fixed weights so every window's gradient is distinct. */
async function poolGrad(backend: string, x: Float32Array, shape: [number, number, number, number],
  filter: number, stride: number, pad: 'valid' | 'same'): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const input = tf.tensor4d(x, shape);
    const outShape = tf.maxPool(input, filter, stride, pad).shape;
    const w = tf.tensor(values(outShape.reduce((a, b) => a * b, 1), 9), outShape);
    const g = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, filter, stride, pad).mul(w).sum())(input);
    return g.dataSync() as Float32Array;
  });
}

/** Values with negative windows and ties: rounded to a few levels, shifted below zero in half the tensor. */
function awkward(n: number, seed: number): Float32Array {
  return values(n, seed).map((v, i) => Math.round(v * 3) / 3 - (i % 7 < 4 ? 2 : 0));
}

describe('MaxPoolGrad on wasm', () => {
  before(useWasm);
  after(stockWasm);

  test('the stock kernel loses the gradient of windows whose values are all negative (the bug fixed here)', async () => {
    const x = Float32Array.from([-1, -2, -3, -4, -5, -6, -7, -8, 1, 2, 3, 4, 5, 6, 7, 8]);
    removeBackendPatches(tf);
    const stock = await poolGrad('wasm', x, [1, 4, 4, 1], 2, 2, 'valid');
    const cpu = await poolGrad('cpu', x, [1, 4, 4, 1], 2, 2, 'valid');
    assert.notDeepEqual(Array.from(stock), Array.from(cpu));
    assert.equal(cpu[2] !== 0 && stock[2] === 0, true, `window 2's maximum (-3) gets its gradient on cpu only: ${stock}`);
    await tf.setBackend('wasm');
    assert.ok(ensureBackendPatches(tf).kernels.includes('MaxPoolGrad'));
    assert.deepEqual(Array.from(await poolGrad('wasm', x, [1, 4, 4, 1], 2, 2, 'valid')), Array.from(cpu));
  });

  test('equals the cpu backend exactly for filters, strides, paddings, negative windows, ties and NaN', async () => {
    const cases: [[number, number, number, number], number, number, 'valid' | 'same'][] = [
      [[2, 6, 6, 3], 2, 2, 'valid'], [[2, 7, 5, 4], 2, 2, 'same'], [[1, 9, 9, 2], 3, 2, 'same'],
      [[3, 8, 8, 5], 3, 1, 'valid'], [[1, 5, 7, 1], 3, 3, 'same'], [[2, 4, 4, 8], 1, 1, 'valid'], [[1, 6, 6, 2], 4, 2, 'same'],
    ];
    for (const [shape, filter, stride, pad] of cases) {
      const x = awkward(shape.reduce((a, b) => a * b, 1), shape[1] * 7 + filter);
      if (shape[0] === 3) x[5] = NaN;
      await tf.setBackend('wasm');
      ensureBackendPatches(tf);
      const ours = await poolGrad('wasm', x, shape, filter, stride, pad);
      const cpu = await poolGrad('cpu', x, shape, filter, stride, pad);
      const first = ours.findIndex((v, i) => !Object.is(v, cpu[i]));
      assert.equal(first, -1, `[${shape}] f${filter} s${stride} ${pad}: element ${first} is ${ours[first]}, cpu ${cpu[first]}`);
    }
  });

  test('a CNN pooling after ELU gets the cpu backend\'s gradients', async () => {
    const grads = async (backend: string) => {
      await onBackend(backend);
      const m = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, activation: 'elu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, 30 + i).map((v) => v * 0.5), w.shape)));
      const x = tf.tensor4d(values(4 * 8 * 8 * 2, 31).map((v) => v - 0.6), [4, 8, 8, 2]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const { grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar);
      const out = m.trainableWeights.map((w) => Array.from(g[w.originalName].dataSync()));
      tf.dispose([x, y, ...Object.values(g)]);
      m.dispose();
      return out;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    cpu.forEach((want, i) => want.forEach((v, j) => {
      assert.ok(Math.abs(wasm[i][j] - v) <= 1e-5 * Math.max(1, Math.abs(v)), `weight ${i}[${j}]: wasm ${wasm[i][j]}, cpu ${v}`);
    }));
  });
});
