import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { assertClose, tf, useWasm, values } from './helpers';

/** An MLP with fixed initial weights (same numbers every call). */
function mlp(inputs: number, hidden: number, classes: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs], units: hidden, activation: 'relu' }),
      tf.layers.dense({ units: hidden, activation: 'tanh' }),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, 50 + i).map((v) => v * 0.3), w.shape)));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

function dataset(n: number, inputs: number, classes: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(values(n * inputs, 7), [n, inputs]);
  const labels = Array.from(values(n, 8), (v) => Math.floor((v + 1) * classes / 2) % classes);
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), classes) as tf.Tensor2D };
}

describe('training with the wasm overrides', () => {
  before(useWasm);
  after(() => removeBackendPatches(tf));

  test('20 steps of model.fit (adam) give the same weights within 1e-5 with and without overrides', async () => {
    const { x, y } = dataset(20 * 32, 40, 6);
    const train = async (overrides: boolean) => {
      if (overrides) assert.equal(ensureBackendPatches(tf).overrides, 'installed');
      else removeBackendPatches(tf);
      const model = mlp(40, 48, 6);
      const h = await model.fit(x, y, { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 });
      const weights = model.getWeights().map((w) => w.dataSync().slice());
      model.dispose();
      return { weights, loss: h.history.loss[0] as number };
    };
    const stock = await train(false);
    const ours = await train(true);
    assert.ok(Number.isFinite(ours.loss));
    stock.weights.forEach((w, i) => assertClose(ours.weights[i], w, 1e-5, `weight ${i}`));
    // The run really trained: weights moved from their initial values.
    const init = mlp(40, 48, 6);
    const moved = Math.max(...Array.from(init.getWeights()[0].dataSync(), (v, j) => Math.abs(v - ours.weights[0][j])));
    init.dispose();
    assert.ok(moved > 1e-3, `first kernel moved by ${moved}`);
    tf.dispose([x, y]);
  });

  test('tf.memory(), the wasm and cpu backend data ids and the wasm heap stay flat over 1000 steps', () => {
    ensureBackendPatches(tf);
    const be = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const { x, y } = dataset(512, 16, 4);
    const model = mlp(16, 24, 4);
    const conv = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 6 }),
        tf.layers.reshape({ targetShape: [6, 4, 1] }),
        tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }),
        tf.layers.depthwiseConv2d({ kernelSize: 2, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const tokens = tf.tensor2d(Array.from(values(16 * 6, 3), (v) => Math.floor((v + 1) * 5)), [16, 6], 'int32');
    const opt = tf.train.adam(1e-3);
    const optConv = tf.train.sgd(1e-2);
    const cpu = tf.engine().findBackend('cpu') as unknown as { numDataIds(): number };
    const snapshot = () => ({
      tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, dataIds: be.numDataIds(), heap: be.wasm.HEAPU8.byteLength,
      cpuFallbackIds: cpu.numDataIds(),
    });
    let warm: ReturnType<typeof snapshot> | undefined;
    for (let step = 0; step < 1000; step++) {
      const start = (step * 16) % 512;
      tf.tidy(() => {
        const xb = tf.slice(x, [start, 0], [16, 16]);
        const idx = tf.tensor1d(Array.from({ length: 16 }, (_, i) => (start + 7 * i) % 512), 'int32');
        const yb = tf.gather(y, idx);
        opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar);
        if (step % 4 === 0) {
          optConv.minimize(() => tf.losses.softmaxCrossEntropy(yb, conv.apply(tokens, { training: true }) as tf.Tensor) as tf.Scalar);
        }
      });
      if (step === 99) warm = snapshot();
    }
    assert.deepEqual(snapshot(), warm);
    tf.dispose([x, y, tokens]);
    model.dispose();
    conv.dispose();
    opt.dispose();
    optConv.dispose();
  });
});
