/**
 * Seeded synthetic stand-ins for the datasets of the official tfjs examples and of the textbook's
 * exercises, small enough to train on two cores: iris (class means and spreads of Fisher's data,
 * sorted by class as the example's file is), 8×8 "digits" (ten noisy stroke templates, like a small
 * MNIST), Boston-housing-like regression (13 features on their raw scales), addition strings for the
 * addition-rnn example, and plain regression / classification tasks.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../../src/diagnostics/probeBatch';

/** The probe batch's seeded generator (mulberry32, numbers in [0, 1)), so scenarios and the monitor draw alike. */
export const rng: (seed: number) => () => number = seededRandom;

/** A standard normal draw from `r` (Box–Muller). */
export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Iris: 50 samples per class, sorted by class, one-hot labels (as tfjs-examples/iris loads it). */
export function iris(seed = 1): { x: tf.Tensor2D; y: tf.Tensor2D; labels: number[] } {
  const means = [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]];
  const stds = [[0.35, 0.38, 0.17, 0.1], [0.52, 0.31, 0.47, 0.2], [0.64, 0.32, 0.55, 0.27]];
  const r = rng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 50; i++) {
      rows.push(means[c].map((m, j) => Math.max(0.1, m + stds[c][j] * gauss(r))));
      labels.push(c);
    }
  }
  return { x: tf.tensor2d(rows), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() as tf.Tensor2D, labels };
}

/** 8×8 digits: ten random stroke templates plus pixel noise, `n` samples, class-interleaved unless `sorted`. */
export function digits(n: number, seed = 2, opts: { sorted?: boolean; image?: boolean } = {}): { x: tf.Tensor; y: tf.Tensor2D } {
  const r = rng(seed);
  const templates = Array.from({ length: 10 }, () => Array.from({ length: 64 }, () => (r() < 0.3 ? 1 : 0)));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = opts.sorted ? Math.floor((i * 10) / n) : i % 10;
    rows.push(templates[c].map((p) => Math.min(1, Math.max(0, p * 0.8 + 0.35 * gauss(r)))));
    labels.push(c);
  }
  const x = opts.image ? tf.tensor4d(rows.flat(), [n, 8, 8, 1]) : tf.tensor2d(rows);
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as tf.Tensor2D };
}

/**
 * Boston-housing-like regression: 13 features on raw scales like the dataset's (crime rate ~1–10,
 * tax ~200–700, …), a price that depends on a few of them; `normalize` standardizes the features
 * as the tfjs example does.
 */
export function housing(n: number, seed = 3, normalize = true): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const scales = [3.6, 11, 11, 0.07, 0.55, 6.3, 68, 3.8, 9.5, 408, 18, 356, 12.6];
  const spreads = [8.6, 23, 6.9, 0.25, 0.12, 0.7, 28, 2.1, 8.7, 168, 2.2, 91, 7.1];
  const r = rng(seed);
  const rows: number[][] = [];
  const price: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = scales.map(() => gauss(r));
    rows.push(z.map((v, j) => Math.max(0, scales[j] + spreads[j] * v)));
    price.push(22.5 + 6 * z[5] - 4 * z[12] - 2 * z[10] - 1.5 * z[0] + 2 * Math.tanh(z[9]) + 2 * gauss(r));
  }
  let x = tf.tensor2d(rows);
  if (normalize) {
    const { mean, variance } = tf.moments(x, 0);
    x = x.sub(mean).div(variance.sqrt()) as tf.Tensor2D;
  }
  return { x, y: tf.tensor2d(price, [n, 1]) };
}

/** addition-rnn: "a+b" strings of `digits`-digit numbers, one-hot encoded, answers right-padded. */
export function additions(n: number, digitsPer = 2, seed = 4): { x: tf.Tensor3D; y: tf.Tensor3D } {
  const chars = '0123456789+ ';
  const r = rng(seed);
  const inLen = 2 * digitsPer + 1;
  const outLen = digitsPer + 1;
  const enc = (s: string, len: number) => s.padEnd(len, ' ').split('').map((ch) => chars.indexOf(ch));
  const xs: number[][] = [];
  const ys: number[][] = [];
  const max = 10 ** digitsPer;
  for (let i = 0; i < n; i++) {
    const a = Math.floor(r() * max);
    const b = Math.floor(r() * max);
    xs.push(enc(`${a}+${b}`, inLen));
    ys.push(enc(String(a + b), outLen));
  }
  const x = tf.oneHot(tf.tensor2d(xs, undefined, 'int32'), chars.length).toFloat() as tf.Tensor3D;
  const y = tf.oneHot(tf.tensor2d(ys, undefined, 'int32'), chars.length).toFloat() as tf.Tensor3D;
  return { x, y };
}

/** y = x·w + noise (σ `noise`), `features` standard normal features. */
export function regression(n: number, features: number, seed: number, noise = 0.5): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.randomNormal([n, features], 0, 1, 'float32', seed) as tf.Tensor2D;
  const w = tf.randomNormal([features, 1], 0, 1, 'float32', seed + 1);
  return { x, y: tf.add(tf.matMul(x, w), tf.randomNormal([n, 1], 0, noise, 'float32', seed + 2)) as tf.Tensor2D };
}

/** Sequences for a recurrent classifier: class = sign of the sum of the first feature over time. */
export function sequences(n: number, steps: number, features: number, seed: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const x = tf.randomNormal([n, steps, features], 0, 1, 'float32', seed) as tf.Tensor3D;
  const s = tf.sum(tf.slice(x, [0, 0, 0], [n, steps, 1]), [1, 2]);
  return { x, y: tf.greater(s, 0).toFloat().reshape([n, 1]) as tf.Tensor2D };
}

/** Token ids of a tiny "sentiment" task: label 1 when more "good" tokens (ids 1–4) than "bad" (5–8). */
export function tokens(n: number, len: number, vocab: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const r = rng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: len }, () => Math.floor(r() * vocab));
    const good = row.filter((t) => t >= 1 && t <= 4).length;
    const bad = row.filter((t) => t >= 5 && t <= 8).length;
    rows.push(row);
    labels.push(good > bad ? 1 : 0);
  }
  return { x: tf.tensor2d(rows, undefined, 'float32'), y: tf.tensor2d(labels, [n, 1]) };
}
