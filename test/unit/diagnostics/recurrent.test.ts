/**
 * Sensitivities of recurrent layers: s = ∂L/∂n for n the pre-activations the cell computes at every
 * time step (SimpleRNN: x·W + h·U + b; LSTM: the four gates' z = x·W + h·U + b; GRU: the update and
 * reset gates' and the candidate's), against central finite differences of a float64 forward pass
 * written here from the model's own weights, with a perturbation added to each of those net inputs.
 * The hand-written pass reproduces the model's prediction first, so it is the same network.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { sensitivities } from '../../../src/diagnostics';
import { mse } from './losses';

type M = number[][];
const B = 2, T = 3, F = 2, U = 2;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const dot = (a: number[], W: M, col: number) => a.reduce((s, v, k) => s + v * W[k][col], 0);

/** Net inputs per (sample, step) → the layer's last hidden state, with `delta` added to every net input. */
type Cell = (x: number[], h: number[], c: number[], delta: number[]) => { h: number[]; c: number[] };

function cellOf(kind: string, w: (M | number[])[]): { gates: number; cell: Cell } {
  if (kind === 'simpleRNN') {
    const [W, Ur, b] = w as [M, M, number[]];
    return { gates: 1, cell: (x, h, c, d) => ({ h: Array.from({ length: U }, (_, j) => Math.tanh(dot(x, W, j) + dot(h, Ur, j) + b[j] + d[j])), c }) };
  }
  if (kind === 'lstm') {
    const [W, Ur, b] = w as [M, M, number[]];
    return {
      gates: 4,
      cell: (x, h, c, d) => {
        const z = Array.from({ length: 4 * U }, (_, j) => dot(x, W, j) + dot(h, Ur, j) + b[j] + d[j]);
        const cNew = Array.from({ length: U }, (_, j) => sigmoid(z[U + j]) * c[j] + sigmoid(z[j]) * Math.tanh(z[2 * U + j]));
        return { h: cNew.map((cj, j) => sigmoid(z[3 * U + j]) * Math.tanh(cj)), c: cNew };
      },
    };
  }
  // tfjs GRU: z = σ(x·Wz + b_z + h·Uz), r = σ(x·Wr + b_r + h·Ur), h̃ = tanh(x·Wh + b_h + (r ⊙ h)·Uh), h = z ⊙ h + (1 − z) ⊙ h̃.
  const [W, Ur, b] = w as [M, M, number[]];
  return {
    gates: 3,
    cell: (x, h, c, d) => {
      const zr = Array.from({ length: 2 * U }, (_, j) => sigmoid(dot(x, W, j) + b[j] + dot(h, Ur, j) + d[j]));
      const rh = h.map((v, k) => v * zr[U + k]);
      const hh = Array.from({ length: U }, (_, j) => Math.tanh(dot(x, W, 2 * U + j) + b[2 * U + j] + dot(rh, Ur, 2 * U + j) + d[2 * U + j]));
      return { h: hh.map((v, j) => zr[j] * h[j] + (1 - zr[j]) * v), c };
    },
  };
}

describe('sensitivities of recurrent layers', () => {
  before(async () => { await tf.setBackend('cpu'); });

  for (const kind of ['simpleRNN', 'lstm', 'gru'] as const) {
    test(`${kind}: RMS and max of ∂L/∂n over batch × time × gates match finite differences (relative error < 1e-3)`, () => {
      const init = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.6 });
      const common = { units: U, kernelInitializer: init(1), recurrentInitializer: init(2), biasInitializer: init(3) };
      const rnn = kind === 'simpleRNN' ? tf.layers.simpleRNN({ ...common, inputShape: [T, F] })
        : kind === 'lstm' ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid', inputShape: [T, F] })
          : tf.layers.gru({ ...common, recurrentActivation: 'sigmoid', inputShape: [T, F] });
      const model = tf.sequential({ layers: [rnn, tf.layers.dense({ units: 1, kernelInitializer: init(4), biasInitializer: init(5) })] });
      const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 6);
      const y = tf.randomNormal([B, 1], 0, 1, 'float32', 7);
      const w = model.getWeights().map((t) => t.arraySync() as M | number[]);
      const { gates, cell } = cellOf(kind, w.slice(0, 3));
      const [Wd, bd] = [w[3] as M, w[4] as number[]];
      const X = x.arraySync() as number[][][];
      const Y = y.arraySync() as M;
      // delta[i][t] is added to sample i's net inputs at step t (gates × U values).
      const predict = (delta: number[][][]) => X.map((xs, i) => {
        let h = Array(U).fill(0), c = Array(U).fill(0);
        for (let t = 0; t < T; t++) ({ h, c } = cell(xs[t], h, c, delta[i][t]));
        return dot(h, Wd, 0) + bd[0];
      });
      const loss = (delta: number[][][]) => predict(delta).reduce((s, p, i) => s + (p - Y[i][0]) ** 2, 0) / B;
      const zero = () => Array.from({ length: B }, () => Array.from({ length: T }, () => Array(gates * U).fill(0)));

      const modelPred = (model.predict(x) as tf.Tensor).dataSync();
      predict(zero()).forEach((p, i) => assert.ok(Math.abs(p - modelPred[i]) < 1e-5, `the hand-written ${kind} is the model: ${p} vs ${modelPred[i]}`));

      const eps = 1e-5;
      const s: number[] = [];
      for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) for (let j = 0; j < gates * U; j++) {
        const up = zero(), down = zero();
        up[i][t][j] = eps;
        down[i][t][j] = -eps;
        s.push((loss(up) - loss(down)) / (2 * eps));
      }
      const rms = Math.sqrt(s.reduce((a, v) => a + v * v, 0) / s.length);
      const max = Math.max(...s.map(Math.abs));

      const [got] = sensitivities(model, x, y, { loss: mse });
      assert.ok(got.rms !== null && got.max !== null, `${kind} has a sensitivity`);
      assert.ok(Math.abs(got.rms - rms) / rms < 1e-3, `RMS ${got.rms} vs finite differences ${rms}`);
      assert.ok(Math.abs(got.max - max) / max < 1e-3, `max ${got.max} vs finite differences ${max}`);
      assert.ok(got.gradNorm! > 0);
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});
