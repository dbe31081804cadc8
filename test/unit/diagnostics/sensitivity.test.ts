/**
 * s^k = ∂L/∂n^k from gs.diagnostics.sensitivities against (1) central finite differences on the net
 * inputs and (2) a hand-written backprop of s^k = s^{k+1} (W^{k+1})ᵀ ⊙ F'^k(n^k), both in float64
 * plain JS from the model's own weights; and for Conv2D/BatchNorm against an independent tfjs
 * computation with the zero-tensor trick.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { sensitivities } from '../../../src/diagnostics';
import { fit } from '../../../src/library';
import type { HealthSnapshot } from '../../../src/protocol/health';
import { mse } from './losses';

type M = number[][];
const matmul = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const addRow = (a: M, b: number[]): M => a.map((r) => r.map((v, j) => v + b[j]));
const transpose = (a: M): M => a[0].map((_, j) => a.map((r) => r[j]));
const map = (a: M, f: (v: number, i: number, j: number) => number): M => a.map((r, i) => r.map((v, j) => f(v, i, j)));
const rms = (a: M) => Math.sqrt(a.flat().reduce((s, v) => s + v * v, 0) / a.flat().length);
const maxAbs = (a: M) => Math.max(...a.flat().map(Math.abs));
const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const acts = [Math.tanh, sigmoid, (v: number) => v];
const derivs = [(n: number) => 1 - Math.tanh(n) ** 2, (n: number) => sigmoid(n) * (1 - sigmoid(n)), () => 1];

describe('sensitivities', () => {
  before(async () => { await tf.setBackend('cpu'); });

  function smallNet() {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.3 }) }),
      tf.layers.dense({ units: 3, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4, stddev: 0.3 }) }),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }),
    ] });
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 6);
    const y = tf.randomNormal([5, 2], 0, 1, 'float32', 7);
    const w = model.getWeights().map((t) => t.arraySync() as M | number[]);
    return { model, x, y, W: [0, 2, 4].map((i) => w[i] as M), b: [1, 3, 5].map((i) => w[i] as number[]), X: x.arraySync() as M, Y: y.arraySync() as M };
  }

  /** Loss from layer k's net input onward (float64). */
  function lossFrom(k: number, n: M, W: M[], b: number[][], Y: M): number {
    let a = map(n, (v) => acts[k](v));
    for (let j = k + 1; j < 3; j++) a = map(addRow(matmul(a, W[j]), b[j]), (v) => acts[j](v));
    const d = a.flat().map((p, i) => p - Y.flat()[i]);
    return d.reduce((s, v) => s + v * v, 0) / d.length;
  }

  function netInputs(X: M, W: M[], b: number[][]): M[] {
    const ns: M[] = [];
    let a = X;
    for (let k = 0; k < 3; k++) {
      const n = addRow(matmul(a, W[k]), b[k]);
      ns.push(n);
      a = map(n, (v) => acts[k](v));
    }
    return ns;
  }

  test('match central finite differences on the net inputs (float64), relative error < 1e-3', () => {
    const { model, x, y, W, b, X, Y } = smallNet();
    const got = sensitivities(model, x, y, { loss: mse });
    const ns = netInputs(X, W, b);
    const eps = 1e-6;
    ns.forEach((n, k) => {
      const s = map(n, (_, i, j) => {
        const up = n.map((r) => r.slice()); up[i][j] += eps;
        const dn = n.map((r) => r.slice()); dn[i][j] -= eps;
        return (lossFrom(k, up, W, b, Y) - lossFrom(k, dn, W, b, Y)) / (2 * eps);
      });
      assert.ok(relErr(got[k].rms!, rms(s)) < 1e-3, `layer ${k} rms ${got[k].rms} vs FD ${rms(s)}`);
      assert.ok(relErr(got[k].max!, maxAbs(s)) < 1e-3, `layer ${k} max ${got[k].max} vs FD ${maxAbs(s)}`);
    });
    tf.dispose([x, y]);
    model.dispose();
  });

  test('match a hand-written backprop s^k = s^{k+1} (W^{k+1})ᵀ ⊙ F\'(n^k), and the weight-gradient norms', () => {
    const { model, x, y, W, b, X, Y } = smallNet();
    const got = sensitivities(model, x, y, { loss: mse });
    const ns = netInputs(X, W, b);
    const p = ns[2];
    const s: M[] = [];
    s[2] = map(p, (v, i, j) => (2 * (v - Y[i][j])) / (p.length * p[0].length));
    for (let k = 1; k >= 0; k--) s[k] = map(matmul(s[k + 1], transpose(W[k + 1])), (v, i, j) => v * derivs[k](ns[k][i][j]));
    const inputs = [X, map(ns[0], (v) => Math.tanh(v)), map(ns[1], sigmoid)];
    for (let k = 0; k < 3; k++) {
      assert.ok(relErr(got[k].rms!, rms(s[k])) < 1e-3, `layer ${k} rms ${got[k].rms} vs ${rms(s[k])}`);
      assert.ok(relErr(got[k].max!, maxAbs(s[k])) < 1e-3, `layer ${k} max`);
      const dW = matmul(transpose(inputs[k]), s[k]);
      const db = s[k][0].map((_, j) => s[k].reduce((t, r) => t + r[j], 0));
      const norm = Math.sqrt(dW.flat().reduce((t, v) => t + v * v, 0) + db.reduce((t, v) => t + v * v, 0));
      assert.ok(relErr(got[k].gradNorm!, norm) < 1e-3, `layer ${k} grad norm ${got[k].gradNorm} vs ${norm}`);
    }
    tf.dispose([x, y]);
    model.dispose();
  });

  test('Conv2D and BatchNormalization agree with the zero-tensor trick done by hand with tf ops', () => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }),
      tf.layers.batchNormalization(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
    ] });
    const x = tf.randomNormal([4, 6, 6, 2], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2).toFloat();
    const loss = (t: tf.Tensor, p: tf.Tensor) => tf.mean(tf.metrics.categoricalCrossentropy(t, p)) as tf.Scalar;
    const got = sensitivities(model, x, y, { loss, training: true });
    const [k1, b1, gamma, beta] = model.layers[0].getWeights().concat(model.layers[1].getWeights());
    const [k2, b2] = model.layers[3].getWeights();
    const z1 = tf.zeros([4, 4, 4, 3]);
    const z2 = tf.zeros([4, 4, 4, 3]);
    const [s1, s2] = tf.grads((a: tf.Tensor, c: tf.Tensor) => {
      const n1 = tf.add(tf.add(tf.conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'valid'), b1), a);
      const h = tf.relu(n1);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      const bn = tf.add(tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), beta), c);
      const p = tf.softmax(tf.add(tf.matMul(tf.reshape(bn, [4, -1]), k2), b2));
      return loss(y, p);
    })([z1, z2]);
    const want = [s1, s2].map((s) => ({ rms: Math.sqrt(tf.mean(tf.square(s)).dataSync()[0]), max: tf.max(tf.abs(s)).dataSync()[0] }));
    for (let k = 0; k < 2; k++) {
      assert.ok(relErr(got[k].rms!, want[k].rms) < 1e-3, `layer ${got[k].layer} rms ${got[k].rms} vs ${want[k].rms}`);
      assert.ok(relErr(got[k].max!, want[k].max) < 1e-3, `layer ${got[k].layer} max`);
    }
    assert.deepEqual(got.map((g) => g.layer), [model.layers[0].name, model.layers[1].name, model.layers[3].name]);
    model.dispose();
  });

  test('tiny (1e-25) and huge (1e+25) sensitivities are measured exactly although their squares leave float32', () => {
    const { model, x, y } = smallNet();
    const base = sensitivities(model, x, y, { loss: mse });
    for (const k of [1e-25, 1e25]) {
      const scaled = sensitivities(model, x, y, { loss: (t, p) => tf.mul(mse(t, p), k) as tf.Scalar });
      scaled.forEach((l, i) => {
        assert.ok(relErr(l.rms!, base[i].rms! * k) < 1e-5, `factor ${k}, layer ${i}: ${l.rms} vs ${base[i].rms! * k}`);
        assert.ok(relErr(l.max!, base[i].max! * k) < 1e-5);
      });
    }
    tf.dispose([x, y]);
  });

  test('leave the model unchanged and leak no tensor', () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 1);
    const y = tf.randomUniform([8, 1], 0, 1, 'float32', 2);
    const before = (model.predict(x) as tf.Tensor).arraySync();
    const weightsBefore = model.getWeights().map((w) => w.arraySync());
    const tensors = tf.memory().numTensors;
    sensitivities(model, x, y, { loss: mse, training: true });
    assert.equal(tf.memory().numTensors, tensors);
    assert.deepEqual((model.predict(x) as tf.Tensor).arraySync(), before);
    assert.deepEqual(model.getWeights().map((w) => w.arraySync()), weightsBefore, 'moving statistics must not move');
    assert.equal((model.layers[0] as unknown as { activation: { getClassName(): string } }).activation.getClassName(), 'relu');
    assert.equal(Object.prototype.hasOwnProperty.call(model.layers[1], 'call'), false);
  });

  test('a frozen first layer still gets its sensitivity; a Bidirectional layer gets none but a gradient norm', () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [5, 3], units: 4, activation: 'tanh', trainable: false }),
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) as tf.RNN }),
      tf.layers.dense({ units: 1 }),
    ] });
    const x = tf.randomNormal([4, 5, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([4, 1], 0, 1, 'float32', 2);
    const got = sensitivities(model, x, y, { loss: mse });
    assert.ok(got[0].rms! > 0 && got[0].gradNorm === null);
    assert.equal(got[1].rms, null);
    assert.ok(got[1].gradNorm! > 0);
    assert.ok(got[2].rms! > 0);
  });

  test('bad input gets a clear message', () => {
    const x = tf.zeros([1, 1]);
    assert.throws(() => sensitivities({} as tf.LayersModel, x, x, { loss: mse }), /tf.LayersModel/);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
    assert.throws(() => sensitivities(model, x, x), /the model is not compiled; compile it or pass the loss/);
    assert.throws(() => sensitivities(model, x, x, { loss: 'meanSqueredError' }), /unknown loss 'meanSqueredError' \(Unknown loss meanSqueredError\)/);
    assert.throws(() => sensitivities(model, x, x, { loss: 3 as never }), /`loss` must be a loss name or a loss function, got number/);
  });

  test('the compiled loss by default, and every loss name model.compile accepts', () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
    ] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([6, 3], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32'), 2).toFloat();
    const byDefault = sensitivities(model, x, y);
    const byHand = sensitivities(model, x, y, { loss: (t, p) => tf.mean(tf.metrics.categoricalCrossentropy(t, p)) as tf.Scalar });
    assert.deepEqual(byDefault.map((l) => l.rms), byHand.map((l) => l.rms));
    assert.deepEqual([byDefault[0].loss, byHand[0].loss, byDefault[0].batchSize, byDefault[0].training], ['compiled', 'custom', 6, true]);
    const mseByName = sensitivities(model, x, y, { loss: 'meanSquaredError' });
    const mseByHand = sensitivities(model, x, y, { loss: mse });
    for (let i = 0; i < 2; i++) assert.ok(relErr(mseByName[i].rms!, mseByHand[i].rms!) < 1e-6);
    const names = ['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError', 'squaredHinge', 'hinge',
      'categoricalHinge', 'logcosh', 'categoricalCrossentropy', 'binaryCrossentropy', 'kullbackLeiblerDivergence', 'poisson', 'cosineProximity'];
    for (const n of names) {
      const got = sensitivities(model, x, y, { loss: n });
      assert.equal(got[0].loss, n);
      assert.ok(got.every((l) => l.rms !== null && Number.isFinite(l.rms)), n);
    }
    const labels = tf.tensor2d([0, 1, 1, 0, 1, 0], [6, 1]);
    assert.ok(sensitivities(model, x, labels, { loss: 'sparseCategoricalCrossentropy' }).every((l) => l.rms! > 0));
  });

  test('called like the panel\'s probe (its batch, training mode, the compiled loss) it gives the panel\'s numbers', async () => {
    // 32 samples: the probe batch is the whole training set (drawn 'all'), so both see the same batch.
    const x = tf.randomNormal([32, 4], 0, 1, 'float32', 11);
    const y = tf.randomNormal([32, 1], 0, 1, 'float32', 12);
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotNormal({ seed: 13 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: 14 }) }),
    ] });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    let last: HealthSnapshot | undefined;
    await fit(model, x, y, { epochs: 3, batchSize: 8, diagnostics: { onSnapshot: (s) => (last = s) } });
    assert.equal(last!.probeBatch?.drawn, 'all');
    // The probe after the last step ran on the final weights, as sensitivities does now.
    const panel = last!.layers.map((l) => ({ step: l.sensitivityRms.step.at(-1), rms: l.sensitivityRms.value.at(-1) as number }));
    assert.ok(panel.every((p) => p.step === 11));
    const now = sensitivities(model, x, y);
    now.forEach((l, i) => assert.ok(relErr(l.rms!, panel[i].rms) < 1e-4, `${l.layer}: ${l.rms} here, ${panel[i].rms} in the panel`));
    // On 8× the samples (the same distribution) the numbers are about 8× smaller: L is a mean over the batch.
    const x8 = tf.concat(Array.from({ length: 8 }, () => x));
    const y8 = tf.concat(Array.from({ length: 8 }, () => y));
    const big = sensitivities(model, x8, y8);
    big.forEach((l, i) => assert.ok(relErr(l.rms! * 8, now[i].rms!) < 1e-4, `${l.layer}: ${l.rms} × 8 vs ${now[i].rms}`));
    assert.equal(big[0].batchSize, 256);
  });
});
