import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { earlyStopping, reduceLROnPlateau } from '../../../src/training/callbacks';
import { fit } from '../../../src/training/fit';
import { getLearningRate } from '../../../src/training/learningRate';

before(async () => {
  await tf.setBackend('cpu');
});

function model(lr = 0.1) {
  const m = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })],
  });
  m.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError' });
  return m;
}
const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
const x = () => tf.randomNormal([16, 3], 0, 1, 'float32', 11);
const y = () => tf.ones([16, 2]);

/**
 * A first callback that writes a scripted metric into the epoch logs and snapshots the weights. A
 * tf.CustomCallback because tfjs's model.fit wraps a whole callbacks array in CustomCallback when its
 * first entry is a plain object.
 */
function scripted(m: tf.LayersModel, script: number[], snapshots: number[][]) {
  return new tf.CustomCallback({
    onEpochEnd: async (epoch: number, logs?: tf.Logs) => {
      logs!.score = script[epoch];
      snapshots.push(flat(m));
    },
  });
}

describe('gs.callbacks.reduceLROnPlateau', () => {
  test('follows Keras on a scripted val_loss history (patience, minDelta, cooldown, minLR)', async () => {
    const m = model(0.1);
    const cb = reduceLROnPlateau({ factor: 0.5, patience: 2, minDelta: 0.01, cooldown: 1, minLR: 0.02 });
    cb.setModel(m);
    await cb.onTrainBegin();
    const script = [1.0, 0.995, 0.993, 0.98, 0.975, 0.972, 0.96, 0.955, 0.952, 0.951];
    const lrs: number[] = [];
    for (let e = 0; e < script.length; e++) {
      await cb.onEpochEnd(e, { val_loss: script[e] });
      lrs.push(getLearningRate(m.optimizer));
    }
    // Worked by hand: no improvement by > 0.01 for 2 epochs at epochs 2, 5, 8 (cooldown 1 after each);
    // the third reduction stops at minLR.
    assert.deepEqual(lrs, [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02]);
  });

  test('reduces the learning rate in plain model.fit and in gs.fit (per-step lr in the history)', async () => {
    const a = model(0.1);
    await a.fit(x(), y(), {
      epochs: 4, batchSize: 8, verbose: 0,
      callbacks: [scripted(a, [1, 1, 1, 1], []), reduceLROnPlateau({ monitor: 'score', patience: 1 })],
    });
    assert.equal(getLearningRate(a.optimizer), 0.0125); // halved at the end of epochs 1, 2, 3
    const b = model(0.1);
    const h = await fit(b, x(), y(), {
      epochs: 4, batchSize: 8,
      callbacks: [scripted(b, [1, 1, 1, 1], []), reduceLROnPlateau({ monitor: 'score', patience: 1 })],
    });
    assert.deepEqual(h.lr, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    assert.deepEqual(h.events.map((e) => `${e.kind}@${e.step}`), ['lr-reduced@3', 'lr-reduced@5', 'lr-reduced@7']);
  });

  test('rejects a factor ≥ 1', () => {
    assert.throws(() => reduceLROnPlateau({ factor: 1 }), /`factor` must be in \(0, 1\)/);
  });
});

describe('gs.callbacks.earlyStopping', () => {
  test('stops on a scripted history and restores the best epoch (patience 2, minDelta 0.005)', async () => {
    const m = model();
    const cb = earlyStopping({ patience: 2, minDelta: 0.005, restoreBestWeights: true });
    cb.setModel(m);
    await cb.onTrainBegin();
    const script = [1.0, 0.8, 0.85, 0.79, 0.795, 0.8, 0.81];
    const shapes = m.getWeights().map((w) => w.shape);
    let e = 0;
    for (; e < script.length && !m.stopTraining; e++) {
      m.setWeights(shapes.map((s) => tf.fill(s, e))); // "training" leaves weights = epoch number
      await cb.onEpochEnd(e, { val_loss: script[e] });
    }
    // 0.79 < 0.8 − 0.005 is the last improvement (epoch 3); epochs 4 and 5 do not improve → stop at 5.
    assert.equal(cb.stoppedEpoch, 5);
    assert.equal(cb.bestEpoch, 3);
    assert.ok(flat(m).every((v) => v === 3));
  });

  test('mode auto watches accuracy upwards', async () => {
    const m = model();
    const cb = earlyStopping({ monitor: 'val_acc', patience: 1 });
    cb.setModel(m);
    await cb.onTrainBegin();
    for (const [e, acc] of [0.5, 0.6, 0.55].entries()) await cb.onEpochEnd(e, { val_acc: acc });
    assert.equal(cb.stoppedEpoch, 2);
    assert.equal(cb.best, 0.6);
  });

  test('the events name the best value in 4 significant digits, as the panel lists them', async () => {
    const m = model();
    const cb = earlyStopping({ patience: 1, restoreBestWeights: true });
    const events: string[] = [];
    cb.setEventSink((kind, detail) => events.push(`${kind}: ${detail}`));
    cb.setModel(m);
    await cb.onTrainBegin();
    for (const [e, v] of [6.845561981201172, 6.9].entries()) await cb.onEpochEnd(e, { val_loss: v });
    assert.deepEqual(events, [
      'early-stop: val_loss did not improve for 1 epochs (best 6.846 at epoch 1)',
      'restored-best: restored the weights of epoch 1 (val_loss = 6.846)',
    ]);
  });

  for (const runner of ['model.fit', 'gs.fit'] as const) {
    test(`restoreBestWeights restores the best epoch's real weights in ${runner}`, async () => {
      const m = model();
      const snapshots: number[][] = [];
      const callbacks = [scripted(m, [0.5, 0.3, 0.4, 0.45, 0.2, 0.1], snapshots), earlyStopping({ monitor: 'score', patience: 1, restoreBestWeights: true })];
      if (runner === 'model.fit') await m.fit(x(), y(), { epochs: 6, batchSize: 8, verbose: 0, callbacks });
      else {
        const h = await fit(m, x(), y(), { epochs: 6, batchSize: 8, callbacks });
        assert.equal(h.stoppedEarly, true);
        assert.deepEqual(h.events.map((e) => e.kind), ['early-stop', 'restored-best']);
      }
      assert.equal(snapshots.length, 3); // stopped after epoch 2
      assert.notDeepEqual(snapshots[2], snapshots[1]); // training did move the weights
      assert.deepEqual(flat(m), snapshots[1]); // best score 0.3 at epoch 1
    });
  }
});
