// gs.fit speaks model.fit's options: classWeight weighs the loss exactly as model.fit does,
// sampleWeight weighs each sample, the options it has no meaning for are refused by name, and the
// result is a tf.History.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fit } from '../../../src/training/fit';
import { NonFiniteLossError } from '../../../src/training/history';

before(async () => {
  await tf.setBackend('cpu');
});

/** A logistic classifier with seeded weights. */
function classifier(seed: number): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [2], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  m.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
  return m;
}

/** An imbalanced binary task: about 10 % positives, overlapping with the negatives. */
function imbalanced(n: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, 2], 0, 1, 'float32', 3);
    const score = tf.add(tf.sum(x, 1, true), tf.randomNormal([n, 1], 0, 0.8, 'float32', 4));
    const y = tf.cast(tf.greater(score, 1.8), 'float32');
    return { x, y };
  });
}

const positiveRate = (m: tf.LayersModel, x: tf.Tensor) => tf.tidy(() => tf.mean(tf.cast(tf.greater(m.predict(x) as tf.Tensor, 0.5), 'float32')).dataSync()[0]);
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

function assertClose(a: number[][], b: number[][], tol: number, what: string) {
  assert.equal(a.length, b.length);
  a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= tol, `${what}[${i}][${j}]: ${v} vs ${b[i][j]}`)));
}

describe('gs.fit and model.fit options', () => {
  test('classWeight takes the same steps as model.fit and raises the predicted-positive rate', async () => {
    const { x, y } = imbalanced(512);
    const opts = { epochs: 3, batchSize: 32, shuffle: false } as const;
    const classWeight = { 0: 1, 1: 9 };
    const viaTfjs = classifier(1);
    const viaGs = classifier(1);
    const plain = classifier(1);
    const ht = await viaTfjs.fit(x, y, { ...opts, classWeight, verbose: 0 });
    const hg = await fit(viaGs, x, y, { ...opts, classWeight });
    await fit(plain, x, y, opts);
    assertClose(weightsOf(viaGs), weightsOf(viaTfjs), 1e-5, 'weights');
    hg.history.loss.forEach((v, e) => assert.ok(Math.abs(v - (ht.history.loss[e] as number)) < 1e-5, `loss[${e}]: ${v} vs ${ht.history.loss[e]}`));
    const weighted = positiveRate(viaGs, x);
    const unweighted = positiveRate(plain, x);
    assert.ok(weighted > unweighted + 0.05, `class weight 9 on positives predicts more positives: ${weighted} vs ${unweighted}`);
  });

  test('classWeight with validationSplit weighs only the training part, as model.fit', async () => {
    const { x, y } = imbalanced(256);
    const a = classifier(5);
    const b = classifier(5);
    const opts = { epochs: 2, batchSize: 32, shuffle: false, validationSplit: 0.25, classWeight: { 0: 1, 1: 4 } } as const;
    const ht = await a.fit(x, y, { ...opts, verbose: 0 });
    const hg = await fit(b, x, y, opts);
    assertClose(weightsOf(b), weightsOf(a), 1e-5, 'weights');
    hg.history.val_loss.forEach((v, e) => assert.ok(Math.abs(v - (ht.history.val_loss[e] as number)) < 1e-5, `val_loss[${e}]`));
  });

  test('sampleWeight: per-sample weights equal to the class weights give the classWeight run; ones change nothing', async () => {
    const { x, y } = imbalanced(256);
    const opts = { epochs: 2, batchSize: 32, shuffle: false } as const;
    const byClass = classifier(9);
    const bySample = classifier(9);
    const ones = classifier(9);
    const plain = classifier(9);
    await fit(byClass, x, y, { ...opts, classWeight: { 0: 1, 1: 9 } });
    const w = tf.tidy(() => tf.add(1, tf.mul(8, y.reshape([256]))));
    await fit(bySample, x, y, { ...opts, sampleWeight: w });
    await fit(ones, x, y, { ...opts, sampleWeight: tf.ones([256, 1]) });
    await fit(plain, x, y, opts);
    assertClose(weightsOf(bySample), weightsOf(byClass), 1e-6, 'sampleWeight = class weights');
    assertClose(weightsOf(ones), weightsOf(plain), 1e-6, 'unit sample weights');
    assert.equal(w.isDisposed, false, 'the user\'s weight tensor is left alone');
  });

  test('sampleWeight of the wrong shape is refused with the expected shape', async () => {
    const { x, y } = imbalanced(64);
    await assert.rejects(fit(classifier(1), x, y, { sampleWeight: tf.ones([10]) }), /gs\.fit: `sampleWeight` must have shape \[64\] \(one weight per sample of x\), got \[10\]/);
    await assert.rejects(fit(classifier(1), x, y, { sampleWeight: [1, 2] as never }), /`sampleWeight` must be a tensor/);
  });

  test('options gs.fit has no use for are refused by name, never ignored', async () => {
    const { x, y } = imbalanced(64);
    const m = classifier(1);
    await assert.rejects(fit(m, x, y, { stepsPerEpoch: 2 } as never), /gs\.fit: `stepsPerEpoch` is not supported: .*gs\.fitDataset with `batchesPerEpoch`/);
    await assert.rejects(fit(m, x, y, { validationSteps: 2 } as never), /`validationSteps` is not supported/);
    await assert.rejects(fit(m, x, y, { yieldEvery: 'batch' } as never), /`yieldEvery` is not supported/);
    await assert.rejects(fit(m, x, y, { verbose: 1 } as never), /`verbose` is not supported: gs\.fit prints no progress log/);
    await assert.rejects(fit(m, x, y, { shuffle: 'batch' } as never), /`shuffle: 'batch'` is not supported/);
    // The values that mean what gs.fit does anyway are accepted.
    const h = await fit(m, x, y, { verbose: 0, yieldEvery: 'auto' } as never);
    assert.equal(h.epoch.length, 1);
  });

  test('the result is a tf.History, also inside a NonFiniteLossError', async () => {
    const { x, y } = imbalanced(64);
    const h = await fit(classifier(1), x, y, { epochs: 2 });
    assert.ok(h instanceof tf.History, 'instanceof tf.History');
    assert.deepEqual(h.epoch, [0, 1]);
    assert.equal(h.history.loss.length, 2);
    assert.equal(h.params.epochs, 2);
    await h.syncData(); // tfjs's own method works on it
    const diverging = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones' })] });
    const big = tf.fill([8, 1], 1e3);
    const err = await fit(diverging, big, big.mul(-1), { optimizer: tf.train.sgd(10), loss: 'meanSquaredError', epochs: 20, batchSize: 8 }).catch((e) => e);
    assert.ok(err instanceof NonFiniteLossError, String(err));
    assert.ok(err.history instanceof tf.History);
  });
});
