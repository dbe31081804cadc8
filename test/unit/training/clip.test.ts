import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as clip from '../../../src/training/clip';
import { clipped } from '../../../src/training/optimizers';

const near = (actual: ArrayLike<number>, expected: number[], tol = 1e-6) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} ≠ ${expected[i]}`);
  }
};

describe('gs.clip', () => {
  test('byNorm turns [0.9, 100] into [0.00899964, 0.9999595] with n = 1 (Keras clipnorm)', () => {
    const out = clip.byNorm({ w: tf.tensor1d([0.9, 100]) }, 1);
    near(out.w!.dataSync(), [0.00899964, 0.9999595]);
  });

  test('byValue turns [0.9, 100] into [0.9, 1.0]', () => {
    const out = clip.byValue([{ name: 'w', tensor: tf.tensor1d([0.9, 100]) }], 1);
    assert.ok(Array.isArray(out));
    near(out[0].tensor!.dataSync(), [0.9, 1.0]);
  });

  test('byNorm leaves a tensor below the threshold unchanged and clips each tensor on its own', () => {
    const out = clip.byNorm({ a: tf.tensor1d([0.3, 0.4]), b: tf.tensor1d([3, 4]) }, 1);
    near(out.a!.dataSync(), [0.3, 0.4]);
    near(out.b!.dataSync(), [0.6, 0.8]);
  });

  test('byGlobalNorm scales all tensors by n / max(√Σ‖g‖², n)', () => {
    const a = [3, 4];
    const b = [12];
    const g = Math.sqrt(9 + 16 + 144); // 13
    const out = clip.byGlobalNorm({ a: tf.tensor1d(a), b: tf.tensor1d(b), frozen: null }, 2);
    near(out.a!.dataSync(), a.map((v) => (v * 2) / g));
    near(out.b!.dataSync(), b.map((v) => (v * 2) / g));
    assert.equal(out.frozen, null);
    near(clip.globalNorm(out).dataSync(), [2], 1e-5);
  });

  test('null gradients pass through in arrays and maps', () => {
    const arr = clip.byNorm([{ name: 'x', tensor: null }, { name: 'y', tensor: tf.tensor1d([10]) }], 1);
    assert.equal(arr[0].tensor, null);
    near(arr[1].tensor!.dataSync(), [1]);
    const map = clip.byValue({ x: null }, 1);
    assert.deepEqual(Object.keys(map), ['x']);
  });

  test('bad thresholds and inputs get clear messages', () => {
    assert.throws(() => clip.byNorm({ w: tf.scalar(1) }, 0), /byNorm: `n` must be a positive finite number/);
    assert.throws(() => clip.byValue(null as never, 1), /must be a \{ name: Tensor \} map/);
  });
});

describe('gs.optimizers.clipped', () => {
  // y = w·x with w = 1, x = 100, target 0: ∂MSE/∂w = 2(wx − y)x = 20000.
  async function oneStep(opt: tf.Optimizer): Promise<number> {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'ones' })],
    });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fit(tf.tensor2d([[100]]), tf.tensor2d([[0]]), { epochs: 1, batchSize: 1, verbose: 0 });
    return (model.getWeights()[0].dataSync())[0];
  }

  test('makes plain model.fit clip and records the pre/post global norms', async () => {
    const opt = clipped(tf.train.sgd(0.1), { clipnorm: 1 });
    const w = await oneStep(opt);
    assert.ok(Math.abs(w - (1 - 0.1 * 1)) < 1e-6, `w = ${w}`);
    assert.equal(opt.norms.pre.length, 1);
    assert.ok(Math.abs(opt.norms.pre[0] - 20000) < 1e-2);
    assert.ok(Math.abs(opt.norms.post[0] - 1) < 1e-6);
  });

  test('without clipping the same step is huge (the wrapper is what clips)', async () => {
    const w = await oneStep(tf.train.sgd(0.1));
    assert.ok(Math.abs(w - (1 - 0.1 * 20000)) < 1e-2, `w = ${w}`);
  });

  test('clipvalue and learning-rate changes reach the wrapped optimizer', async () => {
    const opt = clipped(tf.train.sgd(1), { clipvalue: 0.5 });
    opt.setLearningRate(0.2);
    assert.equal(opt.learningRate, 0.2);
    const w = await oneStep(opt);
    assert.ok(Math.abs(w - (1 - 0.2 * 0.5)) < 1e-6, `w = ${w}`);
  });

  test('rejects clipnorm together with globalClipnorm', () => {
    assert.throws(() => clipped(tf.train.sgd(1), { clipnorm: 1, globalClipnorm: 1 }), /either `clipnorm`/);
    assert.throws(() => clipped({} as tf.Optimizer), /must be a tfjs optimizer/);
  });
});
