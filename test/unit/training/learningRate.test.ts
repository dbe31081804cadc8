import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { getLearningRate, setLearningRate } from '../../../src/training/learningRate';

// One update of w = [1, -2, 3] with gradient g = [0.5, -1, 2]; returns Δw.
function update(opt: tf.Optimizer): number[] {
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const before = w.dataSync().slice();
  tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d([0.5, -1, 2]) }));
  const after = w.dataSync();
  w.dispose();
  return Array.from(after, (v, i) => v - before[i]);
}

const makers: Record<string, (lr: number) => tf.Optimizer> = {
  sgd: (lr) => tf.train.sgd(lr),
  momentum: (lr) => tf.train.momentum(lr, 0.9),
  adam: (lr) => tf.train.adam(lr),
  adamax: (lr) => tf.train.adamax(lr),
  rmsprop: (lr) => tf.train.rmsprop(lr),
  adagrad: (lr) => tf.train.adagrad(lr),
  adadelta: (lr) => tf.train.adadelta(lr),
};

describe('setLearningRate changes the real update of every tfjs optimizer', () => {
  for (const [name, make] of Object.entries(makers)) {
    test(name, () => {
      const opt = make(0.1);
      setLearningRate(opt, 0.01);
      assert.equal(getLearningRate(opt), 0.01);
      const changed = update(opt);
      const reference = update(make(0.01)); // an optimizer built at the new rate
      const original = update(make(0.1));
      for (let i = 0; i < 3; i++) {
        assert.ok(Math.abs(changed[i] - reference[i]) <= 1e-6 * Math.abs(reference[i]) + 1e-9, `${name}[${i}]`);
        // The first step of all seven is linear in the learning rate: a tenth of the update at 0.1.
        assert.ok(Math.abs(changed[i] * 10 - original[i]) <= 1e-5 * Math.abs(original[i]) + 1e-9, `${name}[${i}] ×10`);
        assert.notEqual(changed[i], 0);
      }
      opt.dispose();
    });
  }

  test('rejects bad rates with a clear message', () => {
    assert.throws(() => setLearningRate(tf.train.adam(0.1), NaN), /learning rate must be a finite number/);
  });
});
