/**
 * The small layers-format model of the fixtures (`fixtures/small-mlp/`): Dense 3→4 ReLU, Dense 4→2
 * linear, with weights given by formulas whose values are multiples of 1/8, so every product and
 * sum of the forward pass below is exact in float32 and the model's predictions can be compared
 * with `===`. `makeFixture.ts` writes the fixture through the file:// router; the tests compute
 * the expected outputs here, in plain arithmetic, never from a recorded run.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const fixtureDir = path.join(__dirname, 'fixtures', 'small-mlp');

export const kernel1 = (i: number, j: number) => (i - j) / 4;
export const bias1 = (j: number) => j / 8 - 0.25;
export const kernel2 = (j: number, k: number) => (((j + 1) * (k + 1)) % 3 - 1) / 2;
export const bias2 = (k: number) => k / 4;

/** Inputs whose outputs the tests check (multiples of 1/8 as well). */
export const inputs = [[1, 2, 3], [-1, 0.5, 2], [0, 0, 0], [4, -2, 0.125]];

const grid = (rows: number, cols: number, f: (r: number, c: number) => number) =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => f(r, c)));

/** The model's outputs for `x`, computed by hand. */
export function forward(x: number[]): number[] {
  const h = [0, 1, 2, 3].map((j) => Math.max(0, x.reduce((s, xi, i) => s + xi * kernel1(i, j), 0) + bias1(j)));
  return [0, 1].map((k) => h.reduce((s, hj, j) => s + hj * kernel2(j, k), 0) + bias2(k));
}

/** The model with the formula weights (fixed layer names, so its model.json is the same every time). */
export function buildSmallModel(): tf.Sequential {
  const model = tf.sequential({ name: 'small_mlp', layers: [
    tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', name: 'hidden' }),
    tf.layers.dense({ units: 2, name: 'out' }),
  ] });
  model.layers[0].setWeights([tf.tensor2d(grid(3, 4, kernel1)), tf.tensor1d([0, 1, 2, 3].map(bias1))]);
  model.layers[1].setWeights([tf.tensor2d(grid(4, 2, kernel2)), tf.tensor1d([0, 1].map(bias2))]);
  return model;
}
