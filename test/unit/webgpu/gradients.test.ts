/**
 * On webgpu (Dawn; see gpu.ts for the adapter), what training computes agrees with the cpu backend,
 * tfjs's reference, within 1e-5 relative: the gradient of every op in the shared sweep
 * (test/unit/engine/gradientOps.ts), and 20 Adam steps of an MLP, a small CNN and an LSTM from
 * identical weights (losses and final weights).
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { OPS } from '../engine/gradientOps';
import { relError, tf, useWebGpu, values, type Gpu } from './gpu';

const TOL = 1e-5;
let gpu: Gpu;

/** ∂(Σ w ⊙ op(x))/∂x for every op on `backend` (fixed x and w per op), read asynchronously. */
async function gradients(backend: string): Promise<Map<string, Float32Array>> {
  await tf.setBackend(backend);
  const out = new Map<string, Float32Array>();
  for (const [name, [shape, f]] of Object.entries(OPS)) {
    const g = tf.tidy(() => {
      const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1), name.length * 13 + 7).map((v) => v * 2), shape);
      const y = f(x);
      const w = tf.tensor(values(y.size, 99).map((v) => v * 2), y.shape);
      return tf.grad((t: tf.Tensor) => f(t).mul(w).sum())(x);
    });
    out.set(name, (await g.data()) as Float32Array);
    g.dispose();
  }
  return out;
}

type Build = () => tf.LayersModel;

const MODELS: Record<string, { build: Build; x: () => tf.Tensor; y: () => tf.Tensor; loss: string }> = {
  mlp: {
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [24], units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 32, activation: 'tanh' }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ] }),
    x: () => tf.tensor2d(values(64 * 24, 7), [64, 24]),
    y: () => tf.oneHot(tf.tensor1d(Array.from(values(64, 8), (v) => Math.floor((v + 1) * 2.5) % 5), 'int32'), 5),
    loss: 'categoricalCrossentropy',
  },
  cnn: {
    build: () => tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 6, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'elu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ] }),
    x: () => tf.tensor4d(values(16 * 12 * 12 * 2, 9), [16, 12, 12, 2]),
    y: () => tf.oneHot(tf.tensor1d(Array.from(values(16, 10), (v) => Math.floor((v + 1) * 2) % 4), 'int32'), 4),
    loss: 'categoricalCrossentropy',
  },
  lstm: {
    build: () => tf.sequential({ layers: [
      tf.layers.lstm({ inputShape: [6, 5], units: 12 }),
      tf.layers.dense({ units: 1 }),
    ] }),
    x: () => tf.tensor3d(values(16 * 6 * 5, 11), [16, 6, 5]),
    y: () => tf.tensor2d(values(16, 12), [16, 1]),
    loss: 'meanSquaredError',
  },
};

/** 20 Adam steps from the weights `init` on `backend`: losses and the final weights. */
async function train(backend: string, name: string, init: { values: Float32Array; shape: number[] }[]) {
  await tf.setBackend(backend);
  const spec = MODELS[name];
  const model = spec.build();
  model.setWeights(init.map((w) => tf.tensor(w.values, w.shape)));
  model.compile({ optimizer: tf.train.adam(0.01), loss: spec.loss });
  const [x, y] = [spec.x(), spec.y()];
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) losses.push(await model.trainOnBatch(x, y) as number);
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  model.dispose();
  tf.dispose([x, y]);
  return { losses, weights };
}

describe('webgpu computes what cpu computes', () => {
  before(async () => {
    gpu = await useWebGpu();
  });

  test(`the gradients of ${Object.keys(OPS).length} ops are within ${TOL} relative of cpu`, async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const cpu = await gradients('cpu');
    const webgpu = await gradients('webgpu');
    const wrong = [...cpu].map(([name, want]) => [name, relError(webgpu.get(name)!, want)] as const).filter(([, e]) => !(e <= TOL));
    assert.deepEqual(wrong.map(([n, e]) => `${n}: ${e.toExponential(2)}`), []);
    assert.deepEqual(gpu.errors, [], 'no WebGPU errors on the way');
  });

  for (const name of Object.keys(MODELS)) {
    test(`${name}: 20 Adam steps give the cpu's losses and weights within ${TOL} relative`, async (t) => {
      if ('skip' in gpu) return t.skip(gpu.skip);
      await tf.setBackend('cpu');
      const proto = MODELS[name].build();
      const init = proto.getWeights().map((w, i) => ({ values: values(w.size, 40 + i).map((v) => v * 0.4), shape: w.shape }));
      proto.dispose();
      const cpu = await train('cpu', name, init);
      const webgpu = await train('webgpu', name, init);
      assert.ok(relError(webgpu.losses, cpu.losses) <= TOL, `losses: webgpu ${webgpu.losses.slice(-3)} vs cpu ${cpu.losses.slice(-3)}`);
      cpu.weights.forEach((w, i) => {
        const e = relError(webgpu.weights[i], w);
        assert.ok(e <= TOL, `weight ${i}: relative error ${e}`);
      });
      assert.ok(cpu.losses[19] < cpu.losses[0], `the model trained (loss ${cpu.losses[0]} → ${cpu.losses[19]})`);
    });
  }
});
