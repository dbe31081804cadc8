import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { fit } from '../../../src/training/fit';
import { onBackend, stockWasm, tf, useWasm, values } from './helpers';

/** Values with NaN, ±Infinity, -0 and the clip bounds themselves, then ordinary ones. */
const EDGES = [NaN, Infinity, -Infinity, -0, 0, 6, 0.5, -0.5, 1 - 1e-7, 1e-7];
const awkward = (n: number) => Float32Array.from({ length: n }, (_, i) => (i < EDGES.length ? EDGES[i] : values(n, 4)[i] * 8));

/** What `f` gives on `backend` (overrides installed on wasm). */
async function on(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await onBackend(backend);
  return tf.tidy(() => f().dataSync() as Float32Array);
}

/** A classifier whose first kernel holds one NaN, as after a diverged update. */
function poisoned(loss: string): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax' }),
    ],
  });
  m.setWeights(m.getWeights().map((w, i) => {
    const v = values(w.size, 60 + i);
    if (i === 0) v[0] = NaN;
    return tf.tensor(v, w.shape);
  }));
  m.compile({ optimizer: tf.train.sgd(0.01), loss });
  return m;
}

describe('NaN stays NaN on wasm', () => {
  before(useWasm);
  after(stockWasm);

  test('the stock kernels turn NaN into a number (the bug fixed here)', async () => {
    removeBackendPatches(tf);
    const x = () => tf.tensor1d([NaN, 2]);
    assert.deepEqual(Array.from(tf.tidy(() => tf.clipByValue(x(), 1e-7, 1 - 1e-7).dataSync())).map((v) => v.toPrecision(3)), ['1.00e-7', '1.00']);
    assert.deepEqual(Array.from(tf.tidy(() => tf.relu6(x()).dataSync())), [0, 2]);
  });

  test('ClipByValue, Relu6 and fused matmul/conv ReLU and ReLU6 equal the cpu backend, NaN, ±Infinity and -0 included', async () => {
    const x = awkward(48);
    const w = values(8 * 6, 5);
    const filter = values(3 * 3 * 2 * 3, 6);
    const cases: [string, () => tf.Tensor][] = [
      ['clipByValue', () => tf.clipByValue(tf.tensor1d(x), 1e-7, 1 - 1e-7)],
      ['clipByValue wide', () => tf.clipByValue(tf.tensor1d(x), -3, 2.5)],
      ['relu6', () => tf.relu6(tf.tensor1d(x))],
      ...(['relu', 'relu6'] as const).flatMap((activation): [string, () => tf.Tensor][] => [
        [`fused matMul ${activation}`, () => tf.fused.matMul({ a: tf.tensor2d(x, [6, 8]), b: tf.tensor2d(w, [8, 6]), bias: tf.tensor1d(values(6, 7)), activation })],
        [`fused matMul ${activation}, transposed`, () => tf.fused.matMul({ a: tf.tensor2d(x, [8, 6]), b: tf.tensor2d(w, [6, 8]), transposeA: true, transposeB: true, activation })],
        [`fused conv2d ${activation}`, () => tf.fused.conv2d({ x: tf.tensor4d(x, [1, 4, 6, 2]), filter: tf.tensor4d(filter, [3, 3, 2, 3]), strides: 1, pad: 'same', activation })],
        [`fused depthwise ${activation}`, () => tf.fused.depthwiseConv2d({ x: tf.tensor4d(x, [1, 4, 6, 2]), filter: tf.tensor4d(filter.slice(0, 18), [3, 3, 2, 1]), strides: 1, pad: 'same', activation })],
      ]),
    ];
    for (const [name, f] of cases) {
      const want = await on('cpu', f);
      const got = await on('wasm', f);
      assert.ok(want.some(Number.isNaN), `${name}: the case has NaN to keep`);
      const bad = want.findIndex((v, i) => !(Object.is(v, got[i]) || (v === got[i]) || Math.abs(v - got[i]) <= 1e-5 * Math.abs(v)));
      assert.equal(bad, -1, `${name}[${bad}]: wasm ${got[bad]}, cpu ${want[bad]}`);
    }
  });

  for (const loss of ['categoricalCrossentropy', 'binaryCrossentropy']) {
    test(`a model with a NaN weight has NaN ${loss} on wasm, not a finite number`, async () => {
      await tf.setBackend('wasm');
      ensureBackendPatches(tf);
      const m = poisoned(loss);
      const [x, y] = [tf.tensor4d(values(4 * 25, 8), [4, 5, 5, 1]), tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3).toFloat()];
      const evaluated = (m.evaluate(x, y) as tf.Scalar).dataSync()[0];
      assert.ok(Number.isNaN(evaluated), `evaluate gave ${evaluated}`);
      await assert.rejects(fit(m, x, y, { batchSize: 2, epochs: 1 }), /loss became NaN at step 0/);
      tf.dispose([x, y]);
      m.dispose();
    });
  }
});
