/**
 * The probe gs.fit runs while training (no weight gradients: the backward pass differentiates with
 * respect to the recorded net inputs only) measures what the full probe measures,
 * whose sensitivities sensitivity.test.ts checks against float64 finite differences and a hand-written
 * backprop. On cpu and on wasm (with the backend overrides, as the kernel runs it).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches } from '../../../src/engine/wasm';
import { probeModel, type ProbeLayer } from '../../../src/diagnostics/probe';
import { mse } from './losses';

const relErr = (got: number, want: number) => Math.abs(got - want) / Math.max(Math.abs(want), 1e-30);
const dense = (units: number, activation: string, more: Record<string, unknown> = {}) =>
  tf.layers.dense({ units, activation: activation as never, ...more });

/** Every activation kind the saturation probe judges, a Dense without bias and a batch norm. */
function mixed(): tf.LayersModel {
  let seed = 1;
  const k = () => tf.initializers.glorotNormal({ seed: seed++ });
  return tf.sequential({ layers: [
    dense(6, 'tanh', { inputShape: [5], kernelInitializer: k() }),
    dense(5, 'relu', { useBias: false, kernelInitializer: k() }),
    tf.layers.batchNormalization(),
    dense(4, 'selu', { kernelInitializer: k() }),
    dense(4, 'sigmoid', { kernelInitializer: k() }),
    dense(2, 'linear', { kernelInitializer: k() }),
  ] });
}

/** A frozen first layer on rank-3 inputs (Dense's own reshaping path), then ELU. */
function frozenFirst(): tf.LayersModel {
  return tf.sequential({ layers: [
    dense(4, 'tanh', { inputShape: [3, 5], trainable: false, kernelInitializer: tf.initializers.glorotNormal({ seed: 7 }) }),
    tf.layers.flatten(),
    dense(3, 'elu', { kernelInitializer: tf.initializers.glorotNormal({ seed: 8 }) }),
    dense(2, 'linear', { kernelInitializer: tf.initializers.glorotNormal({ seed: 9 }) }),
  ] });
}

/** The three recurrent layers with their gate pre-activations recorded at every time step. */
function recurrent(): tf.LayersModel {
  const k = (seed: number) => ({ kernelInitializer: tf.initializers.glorotNormal({ seed }), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }) });
  return tf.sequential({ layers: [
    tf.layers.lstm({ units: 4, returnSequences: true, inputShape: [4, 5], ...k(20) }),
    tf.layers.gru({ units: 3, returnSequences: true, ...k(22) }),
    tf.layers.simpleRNN({ units: 3, ...k(24) }),
    dense(2, 'linear', { kernelInitializer: tf.initializers.glorotNormal({ seed: 26 }) }),
  ] });
}

function same(light: ProbeLayer[], full: ProbeLayer[], what: string): void {
  assert.deepEqual(light.map((l) => l.layer), full.map((l) => l.layer));
  light.forEach((l, i) => {
    const f = full[i];
    const at = `${what}, layer ${l.layer}`;
    assert.ok(l.sensitivityRms! > 0 && relErr(l.sensitivityRms!, f.sensitivityRms!) < 1e-5, `${at}: rms ${l.sensitivityRms} vs ${f.sensitivityRms}`);
    assert.ok(relErr(l.sensitivityMax!, f.sensitivityMax!) < 1e-5, `${at}: max ${l.sensitivityMax} vs ${f.sensitivityMax}`);
    assert.equal(l.gradNorm, null, `${at}: no weight gradients asked`);
    assert.equal(l.saturation?.kind, f.saturation?.kind, at);
    for (const k of ['zero', 'dead', 'saturated', 'negative', 'mean', 'std'] as const) {
      const a = l.saturation?.[k];
      const b = f.saturation?.[k];
      assert.ok(a === b || Math.abs(a! - b!) < 1e-6, `${at}: saturation ${k} ${a} vs ${b}`);
    }
    if (f.batchNorm) {
      for (const [k, v] of Object.entries(f.batchNorm)) assert.ok(Math.abs(l.batchNorm![k as keyof typeof f.batchNorm] - v) < 1e-6, `${at}: ${k}`);
    }
  });
}

describe('the probe without weight gradients', () => {
  for (const backend of ['cpu', 'wasm']) {
    test(`measures the full probe's sensitivities, saturation and batch-norm statistics (${backend})`, async () => {
      await tf.setBackend(backend);
      await tf.ready();
      if (backend === 'wasm') ensureBackendPatches(tf);
      for (const [name, build, xShape] of [['mixed', mixed, [16, 5]], ['frozen first', frozenFirst, [16, 3, 5]], ['recurrent', recurrent, [16, 4, 5]]] as const) {
        const model = build();
        const x = tf.randomNormal([...xShape], 0, 1, 'float32', 11);
        const y = tf.randomNormal([16, 2], 0, 1, 'float32', 12);
        const tensors = tf.memory().numTensors;
        const full = probeModel(model, x, y, mse, { weightGrads: true });
        const light = probeModel(model, x, y, mse, { weightGrads: false });
        assert.equal(tf.memory().numTensors, tensors, `${name}: no tensor leaked`);
        same(light.layers, full.layers, `${name} on ${backend}`);
        assert.ok(Math.abs(light.loss - full.loss) < 1e-6);
        assert.ok(full.layers.every((l) => (model.layers[l.index].trainableWeights.length > 0 ? l.gradNorm! > 0 : l.gradNorm === null)));
        tf.dispose([x, y]);
        model.dispose();
      }
    });
  }
});

describe('dead units', () => {
  test('a convolution\'s units are its filters: blank image borders kill no filter, a filter with bias −1000 is dead', async () => {
    await tf.setBackend('cpu');
    // 16×16 images with a blank 4-pixel border (as MNIST's), nonnegative inside.
    const x = tf.tidy(() => tf.pad(tf.abs(tf.randomNormal([32, 8, 8, 1], 0, 1, 'float32', 1)), [[0, 0], [4, 4], [4, 4], [0, 0]]));
    const y = tf.zeros([32, 1]);
    for (const deadFilters of [0, 1]) {
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', biasInitializer: tf.initializers.constant({ value: -0.01 }), kernelInitializer: tf.initializers.ones() }),
        tf.layers.flatten(), dense(1, 'linear'),
      ] });
      if (deadFilters) {
        const [k] = model.layers[0].getWeights();
        model.layers[0].setWeights([k, tf.tensor1d([-1000, ...Array(7).fill(-0.01)])]);
      }
      const sat = probeModel(model, x, y, mse).layers[0].saturation!;
      assert.ok(sat.zero! > 0.5, `most positions are zero (the border): ${sat.zero}`);
      assert.equal(sat.dead, deadFilters / 8);
      model.dispose();
    }
    tf.dispose([x, y]);
  });
});

describe('batch-norm statistics', () => {
  test('batch mean and variance of the layer input against its moving statistics, as tf.moments and the moving variables give them', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [
      dense(4, 'linear', { inputShape: [3], kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.constant({ value: 2 }) }),
      tf.layers.batchNormalization({ movingMeanInitializer: tf.initializers.constant({ value: 0.5 }), movingVarianceInitializer: tf.initializers.constant({ value: 3 }) }),
      dense(1, 'linear'),
    ] });
    const x = tf.randomNormal([64, 3], 1, 2, 'float32', 3);
    const y = tf.zeros([64, 1]);
    const bn = probeModel(model, x, y, mse).layers.find((l) => l.layer === model.layers[1].name)!.batchNorm!;
    const { mean, variance } = tf.tidy(() => tf.moments(model.layers[0].apply(x) as tf.Tensor, 0));
    const m = mean.arraySync() as number[];
    const v = variance.arraySync() as number[];
    const avg = (a: number[]) => a.reduce((s, b) => s + b, 0) / a.length;
    assert.ok(relErr(bn.batchMean, avg(m)) < 1e-5, `batch mean ${bn.batchMean} vs ${avg(m)}`);
    assert.ok(relErr(bn.batchVar, avg(v)) < 1e-4, `batch variance ${bn.batchVar} vs ${avg(v)}`);
    assert.ok(Math.abs(bn.movingMean - 0.5) < 1e-6 && Math.abs(bn.movingVar - 3) < 1e-6);
    const shift = Math.max(...m.map((mi) => Math.abs(mi - 0.5) / Math.sqrt(3 + 1e-3)));
    assert.ok(relErr(bn.maxMeanShift, shift) < 1e-5, `max mean shift ${bn.maxMeanShift} vs ${shift}`);
    // The probe runs in training mode but leaves the moving statistics as they were.
    assert.deepEqual(Array.from(model.layers[1].getWeights()[2].dataSync()), [0.5, 0.5, 0.5, 0.5]);
    tf.dispose([x, y, mean, variance]);
  });
});

describe('saturation fractions', () => {
  test('sigmoid a < 0.01 or > 0.99, tanh |a| > 0.99, ReLU zeros and dead units, ELU negative regime, counted as by hand', async () => {
    await tf.setBackend('cpu');
    // Net inputs n = x (identity kernel, zero bias), so the expected counts follow from x alone.
    const X = [[-6, -4, 0, 2.7], [5, -2, 1, -2.6], [-4.7, 3, -1, 0.1], [4.6, -7, 2, -3]];
    const x = tf.tensor2d(X);
    const y = tf.zeros([4, 4]);
    const flat = X.flat();
    const expected: Record<string, (v: number) => boolean> = {
      sigmoid: (v) => 1 / (1 + Math.exp(-v)) < 0.01 || 1 / (1 + Math.exp(-v)) > 0.99,
      tanh: (v) => Math.abs(Math.tanh(v)) > 0.99,
    };
    for (const act of ['sigmoid', 'tanh', 'relu', 'elu']) {
      const model = tf.sequential({ layers: [dense(4, act, { inputShape: [4], kernelInitializer: tf.initializers.identity({}), biasInitializer: 'zeros' })] });
      const sat = probeModel(model, x, y, mse).layers[0].saturation!;
      if (act in expected) assert.equal(sat.saturated, flat.filter(expected[act]).length / flat.length, act);
      if (act === 'relu') {
        assert.equal(sat.zero, flat.filter((v) => v <= 0).length / flat.length);
        const deadCols = [0, 1, 2, 3].filter((c) => X.every((r) => r[c] <= 0)).length;
        assert.equal(sat.dead, deadCols / 4);
      }
      if (act === 'elu') assert.equal(sat.negative, flat.filter((v) => v < 0).length / flat.length);
      model.dispose();
    }
    // A column negative for every sample is a dead ReLU unit.
    const model = tf.sequential({ layers: [dense(4, 'relu', { inputShape: [4], kernelInitializer: tf.initializers.identity({}), biasInitializer: tf.initializers.constant({ value: 0 }) })] });
    const shifted = tf.tensor2d(X.map((r) => [r[0], r[1], r[2], -Math.abs(r[3]) - 0.5]));
    assert.equal(probeModel(model, shifted, y, mse).layers[0].saturation!.dead, 1 / 4);
    tf.dispose([x, y, shifted]);
    model.dispose();
  });
});
