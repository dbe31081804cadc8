import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { assertClose, tf, useWasm, values } from './helpers';

type Build = () => tf.LayersModel;

const cnn: Build = () => tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu' }),
    tf.layers.separableConv2d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
    tf.layers.averagePooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ],
});

const embedding: Build = () => tf.sequential({
  layers: [
    tf.layers.embedding({ inputDim: 12, outputDim: 5, inputLength: 7 }),
    tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    tf.layers.globalAveragePooling1d(),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ],
});

/** Gradients of the loss w.r.t. every trainable weight, on the current backend, from fixed weights. */
function gradients(build: Build, x: () => tf.Tensor, y: () => tf.Tensor): Float32Array[] {
  const model = build();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, 200 + i).map((v) => v * 0.4), w.shape)));
  const { grads } = tf.variableGrads(() =>
    tf.losses.softmaxCrossEntropy(y(), model.apply(x(), { training: true }) as tf.Tensor) as tf.Scalar);
  const out = model.trainableWeights.map((w) => grads[w.originalName].dataSync() as Float32Array);
  tf.dispose(Object.values(grads));
  model.dispose();
  return out;
}

const images = () => tf.tensor4d(values(6 * 10 * 10 * 2, 1), [6, 10, 10, 2]);
const tokens = () => tf.tensor2d(Array.from(values(6 * 7, 2), (v) => Math.floor((v + 1) * 6)), [6, 7], 'int32');
const labels = () => tf.oneHot(tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32'), 3);

type ConvCase = [number[], number[], number | [number, number], 'same' | 'valid' | number];

/** For each case [x shape, filter shape, strides, pad]: ∂Σconv2d(x, f)²/∂f (`filter`) or /∂x (`input`). */
function convGrads(cases: ConvCase[], wrt: 'filter' | 'input'): Float32Array[] {
  const seed = wrt === 'filter' ? 10 : 30;
  return cases.map(([xs, fs, strides, pad], i) => tf.tidy(() => {
    const x = tf.tensor4d(values(xs.reduce((a, b) => a * b), i + seed), xs as [number, number, number, number]);
    const f = tf.tensor4d(values(fs.reduce((a, b) => a * b), i + seed + 10), fs as [number, number, number, number]);
    const g = wrt === 'filter'
      ? tf.grad((w) => tf.conv2d(x, w as tf.Tensor4D, strides, pad).square().sum())(f)
      : tf.grad((input) => tf.conv2d(input as tf.Tensor4D, f, strides, pad).square().sum())(x);
    assert.deepEqual(g.shape, wrt === 'filter' ? fs : xs);
    return g.dataSync().slice() as Float32Array;
  }));
}

/** Runs `compute` on wasm and on cpu and asserts every result agrees within 1e-4. */
async function agreesWithCpu(compute: () => Float32Array[], what: (i: number) => string): Promise<void> {
  const onWasm = compute();
  await tf.setBackend('cpu');
  const onCpu = compute();
  await tf.setBackend('wasm');
  onCpu.forEach((g, i) => assertClose(onWasm[i], g, 1e-4, what(i)));
}

describe('convolution gradients on wasm: cpu fallbacks for missing kernels, XNNPACK paths for slow ones', () => {
  before(useWasm);
  after(() => removeBackendPatches(tf));

  test('without the fallbacks the wasm backend cannot train a CNN (the gap being filled)', () => {
    removeBackendPatches(tf);
    assert.throws(() => tf.tidy(() => gradients(cnn, images, labels)), /not registered|Conv2DBackpropFilter|Depthwise/);
  });

  test('the report lists the cpu fallbacks; Conv2DBackpropFilter runs on wasm itself when the overrides are on', () => {
    const off = ensureBackendPatches(tf, { overrides: false });
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'Einsum']) {
      assert.ok(off.fallbacks.includes(k), `${k} in ${off.fallbacks}`);
    }
    const on = ensureBackendPatches(tf, { overrides: true });
    assert.ok(on.kernels.includes('Conv2DBackpropFilter') && !on.fallbacks.includes('Conv2DBackpropFilter'));
    assert.deepEqual(on.fallbacks.sort(), ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Einsum', 'UnsortedSegmentSum']);
  });

  test('Conv2DBackpropFilter on wasm matches cpu within 1e-4 for strides, paddings and odd sizes', async () => {
    ensureBackendPatches(tf, { overrides: true });
    const cases: ConvCase[] = [
      [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'same'], [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'], [[1, 10, 7, 2], [4, 2, 2, 5], [2, 3], 'valid'],
      [[3, 6, 6, 1], [1, 1, 1, 2], 1, 'valid'], [[2, 8, 8, 2], [5, 5, 2, 3], [1, 2], 'same'], [[1, 7, 7, 2], [3, 3, 2, 2], 2, 1],
    ];
    await agreesWithCpu(() => convGrads(cases, 'filter'), (i) => `case ${i} ${JSON.stringify(cases[i])}`);
  });

  for (const [name, build, x] of [['CNN (conv, depthwise, separable, pooling)', cnn, images], ['embedding + conv1d', embedding, tokens]] as const) {
    test(`${name}: gradients on wasm agree with cpu within 1e-4`, async () => {
      ensureBackendPatches(tf);
      const onWasm = tf.tidy(() => gradients(build, x, labels));
      await tf.setBackend('cpu');
      const onCpu = tf.tidy(() => gradients(build, x, labels));
      await tf.setBackend('wasm');
      assert.equal(onWasm.length, onCpu.length);
      onCpu.forEach((g, i) => {
        assert.ok(g.some((v) => v !== 0), `gradient ${i} is not all zero`);
        assertClose(onWasm[i], g, 1e-4, `${name} gradient ${i}`);
      });
    });
  }

  test('Conv2DBackpropInput with overrides matches cpu within 1e-4 (stride 1 on XNNPACK, strided stock)', async () => {
    ensureBackendPatches(tf, { overrides: true });
    const cases: ConvCase[] = [
      [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'same'], [[2, 8, 7, 2], [2, 4, 2, 3], 1, 'same'], [[1, 10, 7, 2], [4, 2, 2, 5], 1, 'valid'],
      [[3, 6, 6, 1], [1, 1, 1, 2], 1, 'valid'], [[1, 7, 7, 2], [3, 3, 2, 2], 1, 2], [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
    ];
    await agreesWithCpu(() => convGrads(cases, 'input'), (i) => `case ${i} ${JSON.stringify(cases[i])}`);
  });

  test('a CNN and an embedding model train on wasm with model.fit (loss goes down)', async () => {
    ensureBackendPatches(tf);
    for (const [build, x] of [[cnn, images], [embedding, tokens]] as const) {
      const model = build();
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      const xs = x();
      const ys = labels();
      const h = await model.fit(xs, ys, { epochs: 15, batchSize: 6, verbose: 0 });
      const loss = h.history.loss as number[];
      assert.ok(loss[loss.length - 1] < loss[0], `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
      tf.dispose([xs, ys]);
      model.dispose();
    }
  });

  test('tf.einsum (no wasm kernel) runs on the cpu fallback and gives the matmul it spells', () => {
    ensureBackendPatches(tf);
    tf.tidy(() => {
      const a = tf.tensor2d(values(12, 40), [3, 4]);
      const b = tf.tensor2d(values(20, 41), [5, 4]);
      assertClose(tf.einsum('ij,kj->ik', a, b).dataSync(), tf.matMul(a, b, false, true).dataSync(), 1e-6, 'einsum');
    });
  });
});
