/**
 * gs.fitDataset on a dataset of unknown size (tf.data.generator): the first epoch's batches are
 * counted and shown as such (no "600/0"), the total and an ETA come once the first epoch has said
 * how long an epoch is, and the probes are spread over the run, not only at step 0.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fitDataset } from '../../../src/library';
import type { HealthSnapshot } from '../../../src/protocol/health';
import { healthText } from '../../../src/kernel/staticHealth/text';

describe('gs.fitDataset on a dataset of unknown size', () => {
  before(async () => { await tf.setBackend('cpu'); });

  test('counts the first epoch\'s batches, then knows the total, gives an ETA and spreads its probes', async () => {
    const batches = 40;
    const ds = tf.data.generator(function* () {
      for (let i = 0; i < batches; i++) {
        const xs = tf.randomNormal([8, 4], 0, 1, 'float32', i);
        yield { xs, ys: tf.sum(xs, 1, true) };
      }
    });
    assert.equal(ds.size, null, 'a generator dataset has no size');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const seen: HealthSnapshot[] = [];
    await fitDataset(model, ds, { epochs: 3, diagnostics: { onSnapshot: (s) => seen.push(s), publishIntervalMs: 0 } });
    const first = seen.filter((s) => s.progress.epoch === 0 && s.status === 'training');
    assert.ok(first.length > 0);
    for (const s of first) {
      assert.equal(s.progress.totalSteps, 0, 'no total while the first epoch runs');
      assert.equal(s.progress.etaMs, undefined, 'no ETA without a total');
      const text = healthText(s);
      assert.match(text, new RegExp(`${s.progress.step} batches of epoch 1 so far \\(dataset size unknown\\)`));
      assert.doesNotMatch(text, /\/0\b/);
    }
    const later = seen.filter((s) => s.progress.epoch >= 1 && s.status === 'training');
    assert.ok(later.length > 0);
    for (const s of later) {
      assert.equal(s.progress.stepsPerEpoch, batches);
      assert.equal(s.progress.totalSteps, 3 * batches);
    }
    assert.ok(later.some((s) => s.progress.etaMs !== undefined && s.progress.etaMs > 0), 'an ETA from the second epoch');
    const last = seen[seen.length - 1];
    assert.equal(last.status, 'finished');
    assert.equal(last.progress.step, 3 * batches);
    const probed = last.layers[0].sensitivityRms.step;
    assert.ok(probed.length >= 32, `probes: ${probed.length}`);
    assert.ok(probed.some((s) => s >= 2 * batches), `probes reach the last epoch: ${probed.join(' ')}`);
    assert.equal(probed[probed.length - 1], 3 * batches - 1, 'the last step is probed once the length is known');
  });
});
