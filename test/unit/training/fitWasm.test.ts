import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fit } from '../../../src/training/fit';

before(async () => {
  await tf.setBackend('wasm');
});

describe('gs.fit on the wasm backend', () => {
  test('takes the same steps as model.fit there (unshuffled; a clipnorm that never binds adds the gradient path)', async () => {
    const build = () => {
      const m = tf.sequential({
        layers: [
          tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    };
    const x = tf.randomNormal([96, 8], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.randomUniform([96], 0, 3, 'int32', 4), 3).toFloat();
    const a = build();
    const b = build();
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
    const hb = await fit(b, x, y, { epochs: 2, batchSize: 32, shuffle: false, clipnorm: 100 });
    assert.equal(tf.getBackend(), 'wasm');
    const wa = a.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().flatMap((w) => Array.from(w.dataSync()));
    wa.forEach((v, i) => assert.ok(Math.abs(v - wb[i]) < 1e-5, `${v} vs ${wb[i]}`));
    ha.history.loss.forEach((v, e) => assert.ok(Math.abs((v as number) - hb.history.loss[e]) < 1e-5));
    assert.ok(hb.gradNormPreClip!.every((g) => g > 0 && g < 100)); // clipnorm 100 never binds here
  });
});
