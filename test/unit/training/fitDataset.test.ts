import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fitDataset } from '../../../src/training/fitDataset';
import * as schedules from '../../../src/training/schedules';

before(async () => {
  await tf.setBackend('cpu');
});

function setup() {
  const x = tf.randomNormal([40, 2], 0, 1, 'float32', 21);
  const y = tf.sum(tf.mul(x, tf.tensor1d([1, -2])), 1, true);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const ds = tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(10);
  return { x, y, model, ds };
}

describe('gs.fitDataset', () => {
  test('matches model.fitDataset step for step and records the schedule per step', async () => {
    const a = setup();
    const b = setup();
    await a.model.fitDataset(a.ds as never, { epochs: 3, verbose: 0 });
    const s = schedules.exponential({ initial: 0.1, steps: 1e9 }); // ≈ constant 0.1, but recorded
    const h = await fitDataset(b.model, b.ds as never, { epochs: 3, schedule: s, validationData: [b.x, b.y] });
    const wa = a.model.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const wb = b.model.getWeights().flatMap((w) => Array.from(w.dataSync()));
    wa.forEach((v, i) => assert.ok(Math.abs(v - wb[i]) < 1e-5, `${v} vs ${wb[i]}`));
    assert.equal(h.lr.length, 12);
    h.lr.forEach((lr, t) => assert.ok(Math.abs(lr - 0.1 * 0.1 ** (t / 1e9)) < 1e-15));
    assert.equal(h.history.loss.length, 3);
    assert.equal(h.history.val_loss.length, 3);
    assert.ok(h.history.val_loss[2] < h.history.val_loss[0]);
  });

  test('batchesPerEpoch restarts the dataset and a validation dataset gives val_loss', async () => {
    const { model, ds } = setup();
    const h = await fitDataset(model, ds as never, { epochs: 2, batchesPerEpoch: 6, validationData: ds as never });
    assert.equal(h.lr.length, 12);
    assert.equal(h.history.val_loss.length, 2);
  });

  test('a second call on a model still training is refused and leaves its compiled optimizer and loss alone', async () => {
    const { model, ds } = setup();
    const optimizer = model.optimizer;
    const first = fitDataset(model, ds as never, { epochs: 50 });
    await assert.rejects(
      fitDataset(model, ds as never, { optimizer: tf.train.adam(0.1), loss: 'meanAbsoluteError' }),
      /gs\.fitDataset: cannot start training because another fit\(\) call is ongoing/,
    );
    assert.equal(model.optimizer, optimizer, 'the refused call recompiled the model with its own optimizer');
    assert.equal(model.loss, 'meanSquaredError');
    model.stopTraining = true;
    await first;
  });

  test('rejects what is not a dataset', async () => {
    const { model } = setup();
    await assert.rejects(fitDataset(model, [] as never), /second argument must be a tf.data.Dataset/);
  });
});
