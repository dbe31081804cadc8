import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fit } from '../../../src/training/fit';
import * as schedules from '../../../src/training/schedules';
import type { TrainingObserver } from '../../../src/training/observer';

before(async () => {
  await tf.setBackend('cpu');
});

function mlp(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 6, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

function data(n: number) {
  const x = tf.tidy(() => tf.randomNormal([n, 3], 0, 1, 'float32', 7));
  const y = tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([0.5, -1, 2])), 1, true));
  return { x, y };
}

const linear = () =>
  tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'ones' })] });

describe('gs.fit', () => {
  test('takes the same steps as model.fit (same weights after 2 epochs, unshuffled)', async () => {
    const { x, y } = data(64);
    const a = mlp(1);
    const b = mlp(1);
    a.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae'] });
    b.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae'] });
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, validationSplit: 0.25, verbose: 0 });
    const hb = await fit(b, x, y, { epochs: 2, batchSize: 16, shuffle: false, validationSplit: 0.25 });
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    for (let i = 0; i < wa.length; i++) for (let j = 0; j < wa[i].length; j++) assert.ok(Math.abs(wa[i][j] - wb[i][j]) < 1e-6);
    assert.deepEqual(Object.keys(hb.history).sort(), Object.keys(ha.history).sort());
    for (const k of Object.keys(ha.history)) {
      ha.history[k].forEach((v, e) => assert.ok(Math.abs((v as number) - hb.history[k][e]) < 1e-5, `${k}[${e}]`));
    }
    assert.deepEqual(hb.epoch, [0, 1]);
    assert.equal(hb.lr.length, 2 * 3); // 48 training samples / 16
  });

  test('applies the schedule before each step: history.lr is the schedule and lr 0 steps leave w alone', async () => {
    const model = linear();
    const s = schedules.piecewise({ boundaries: [1], values: [0, 0.01] });
    // y = 3x: ∂MSE/∂w = 2(w − 3)x² per sample; with x = 1 and w = 1 the gradient is −4.
    const x = tf.ones([4, 1]);
    const y = tf.fill([4, 1], 3);
    const seen: number[] = [];
    const h = await fit(model, x, y, {
      optimizer: tf.train.sgd(1), loss: 'meanSquaredError', batchSize: 1, epochs: 1, schedule: s,
      callbacks: [{ onBatchEnd: async () => void seen.push(model.getWeights()[0].dataSync()[0]) }],
    });
    assert.deepEqual(h.lr, [0, 0, 0.01, 0.01]);
    assert.equal(seen[0], 1);
    assert.equal(seen[1], 1);
    const w2 = 1 + 0.01 * 4; // w ← w − lr · 2(w − 3)
    assert.ok(Math.abs(seen[2] - w2) < 1e-6);
    assert.ok(Math.abs(seen[3] - (w2 - 0.01 * 2 * (w2 - 3))) < 1e-6);
  });

  test('clipnorm clips each step and the history records the norms', async () => {
    const model = linear();
    const h = await fit(model, tf.tensor2d([[100]]), tf.tensor2d([[0]]), {
      optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError', batchSize: 1, clipnorm: 1,
    });
    assert.ok(Math.abs(model.getWeights()[0].dataSync()[0] - 0.9) < 1e-6); // 1 − 0.1 · 1, not 1 − 0.1 · 20000
    assert.ok(Math.abs(h.gradNormPreClip![0] - 20000) < 1e-2);
    assert.ok(Math.abs(h.gradNormPostClip![0] - 1) < 1e-6);
  });

  test('plain tfjs callbacks and tf.callbacks.earlyStopping work unchanged', async () => {
    const { x, y } = data(32);
    const model = mlp(3);
    const epochs: [number, number][] = [];
    let batches = 0;
    const h = await fit(model, x, y, {
      optimizer: tf.train.sgd(0), loss: 'meanSquaredError', epochs: 10, batchSize: 8, shuffle: false,
      callbacks: [
        { onEpochEnd: async (e: number, logs?: tf.Logs) => void epochs.push([e, logs!.loss as number]), onBatchEnd: async () => void batches++ },
        tf.callbacks.earlyStopping({ monitor: 'loss', patience: 1 }),
      ],
    });
    // lr 0: the loss never improves after epoch 0, so tfjs's early stopping stops after epoch 1.
    assert.deepEqual(epochs.map(([e]) => e), [0, 1]);
    assert.equal(batches, 8);
    assert.equal(h.stoppedEarly, true);
    assert.equal(typeof epochs[0][1], 'number');
  });

  test('a NaN loss stops training with an error naming the step and the last finite loss', async () => {
    const model = linear();
    const events: string[] = [];
    const obs: TrainingObserver = {
      onTrainBegin() {}, onBatchBegin() {}, onBatchEnd() {}, onEpochEnd() {},
      onEvent: (e) => void events.push(`${e.kind}@${e.step}`),
      onTrainEnd: (status, error) => void events.push(`end:${status}:${error?.slice(0, 30)}`),
    };
    // w = 1, x = 2, y = 1: loss (2 − 1)² = 1 at steps 0 and 1 (lr 0 keeps w); the third target is NaN.
    await assert.rejects(
      fit(model, tf.tensor2d([[2], [2], [2], [2]]), tf.tensor2d([[1], [1], [NaN], [1]]), {
        optimizer: tf.train.sgd(0), loss: 'meanSquaredError', batchSize: 1, shuffle: false, observers: [obs],
      }),
      (e: Error) => {
        assert.match(e.message, /loss became NaN at step 2 \(epoch 1, batch 2\); the last finite loss was 1 at step 1/);
        return true;
      },
    );
    assert.deepEqual(events, ['nan@2', 'end:failed:gs.fit: the loss became NaN at']);
    // The model can train again afterwards (isTraining was reset); its weight is NaN now, hence no NaN stop.
    const again = await fit(model, tf.tensor2d([[2]]), tf.tensor2d([[1]]), { batchSize: 1, terminateOnNaN: false });
    assert.equal(again.lr.length, 1);
  });

  test('terminateOnNaN: false trains on through a NaN loss', async () => {
    const h = await fit(linear(), tf.tensor2d([[2], [2]]), tf.tensor2d([[NaN], [1]]), {
      optimizer: tf.train.sgd(0), loss: 'meanSquaredError', batchSize: 1, shuffle: false, terminateOnNaN: false,
    });
    assert.ok(Number.isNaN(h.batchLoss[0]));
    assert.equal(h.batchLoss.length, 2);
  });

  test('leaves no tensors behind (metrics, validation, clipping, schedule)', async () => {
    const { x, y } = data(40);
    const model = mlp(4);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', metrics: ['mae'] });
    const args = { epochs: 2, batchSize: 8, validationSplit: 0.2, clipnorm: 1, schedule: schedules.cosine({ initial: 0.01, steps: 8 }) };
    await fit(model, x, y, args); // creates Adam's slots once
    const before = tf.memory().numTensors;
    await fit(model, x, y, args);
    await fit(model, x, y, { ...args, validationSplit: undefined, validationData: [x, y] });
    assert.equal(tf.memory().numTensors, before);
  });

  test('bad arguments get clear messages', async () => {
    await assert.rejects(fit(mlp(1), tf.zeros([4, 3]), tf.zeros([4, 1])), /model is not compiled/);
    await assert.rejects(fit(mlp(1), tf.zeros([4, 3]), tf.zeros([4, 1]), { loss: 'meanSquaredError', optimizer: 'sgd', batchSize: 0 }), /`batchSize` must be a positive integer/);
    await assert.rejects(
      fit(mlp(1), tf.zeros([4, 3]), tf.zeros([4, 1]), {
        loss: 'meanSquaredError', optimizer: 'sgd', schedule: schedules.power({ initial: 1, steps: 1 }),
        callbacks: [(await import('../../../src/training/plateau')).reduceLROnPlateau()],
      }),
      /`schedule` and gs.callbacks.reduceLROnPlateau both set the learning rate/,
    );
  });
});
