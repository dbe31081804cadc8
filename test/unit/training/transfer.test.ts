import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as transfer from '../../../src/training/transfer';
import { fit } from '../../../src/training/fit';
import { getLearningRate } from '../../../src/training/learningRate';
import { clipped, ClippedOptimizer } from '../../../src/training/optimizers';

before(async () => {
  await tf.setBackend('cpu');
});

const values = (l: tf.layers.Layer) => l.getWeights().flatMap((w) => Array.from(w.dataSync()));
const data = () => ({ x: tf.randomNormal([32, 4], 0, 1, 'float32', 9), y: tf.randomUniform([32, 1], 0, 1, 'float32', 4) });

function modelA() {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu', name: 'hidden1' }),
      tf.layers.dense({ units: 6, activation: 'relu', name: 'hidden2' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return m;
}

describe('gs.transfer', () => {
  test('reuse copies the lower layers and their weights; training the copy leaves the base alone', async () => {
    const a = modelA();
    const b = transfer.reuse(a);
    assert.deepEqual(b.layers.map((l) => l.getClassName()), ['Dense', 'Dense']);
    assert.deepEqual(values(b.layers[0]), values(a.layers[0]));
    assert.notEqual(b.layers[0], a.layers[0]);
    const before = values(a.layers[0]);
    b.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    const { x, y } = data();
    await fit(b, x, y, { optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy', epochs: 2 });
    assert.notDeepEqual(values(b.layers[0]), before);
    assert.deepEqual(values(a.layers[0]), before);
  });

  test('reuse with copy: false shares the layer objects; upTo picks the last layer', () => {
    const a = modelA();
    const b = transfer.reuse(a, { upTo: 'hidden1', copy: false });
    assert.equal(b.layers.length, 1);
    assert.equal(b.layers[0], a.layers[0]);
    assert.throws(() => transfer.reuse(a, { upTo: 'nope' }), /no layer "nope" \(the model has 3: hidden1, hidden2, out\)/);
  });

  test('frozen weights do not move during training, unfrozen ones do; frozenMap counts parameters', async () => {
    const b = transfer.reuse(modelA());
    b.add(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'top' }));
    assert.deepEqual(transfer.freeze(b, { upTo: 1 }), ['hidden1', 'hidden2']);
    const map = transfer.frozenMap(b);
    assert.deepEqual(
      map.map((l) => [l.name, l.className, l.trainable, l.params.trainable, l.params.nonTrainable, l.reused ?? false]),
      [
        ['hidden1', 'Dense', false, 0, 4 * 8 + 8, true],
        ['hidden2', 'Dense', false, 0, 8 * 6 + 6, true],
        ['top', 'Dense', true, 6 * 1 + 1, 0, false],
      ],
    );
    b.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const frozen = b.layers.slice(0, 2).map(values);
    const top = values(b.layers[2]);
    const { x, y } = data();
    await fit(b, x, y, { epochs: 3, batchSize: 8 });
    assert.deepEqual(b.layers.slice(0, 2).map(values), frozen);
    assert.notDeepEqual(values(b.layers[2]), top);
  });

  test('fineTune recompiles with a NEW optimizer at lr × lrFactor, and the unfrozen layers then train', async () => {
    const b = transfer.reuse(modelA());
    b.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    transfer.freeze(b, { layers: ['hidden1', 'hidden2'] });
    const first = tf.train.adam(0.05);
    b.compile({ optimizer: first, loss: 'binaryCrossentropy' });
    const { x, y } = data();
    await fit(b, x, y, { epochs: 1, batchSize: 8 }); // Adam now has slots for the top layer only
    transfer.unfreeze(b);
    await assert.rejects(fit(b, x, y, { epochs: 1 }), /trainable layers changed since it was compiled/);
    const fresh = transfer.fineTune(b, { lrFactor: 0.1 });
    assert.notEqual(fresh, first);
    assert.equal(fresh.getClassName(), 'Adam');
    assert.ok(Math.abs(getLearningRate(fresh) - 0.005) < 1e-12);
    const before = b.layers.map(values);
    await fit(b, x, y, { epochs: 1, batchSize: 8 });
    b.layers.forEach((l, i) => assert.notDeepEqual(values(l), before[i], l.name));
  });

  test('fineTune keeps a clipped optimizer clipped, around a new inner optimizer', () => {
    const a = modelA();
    const inner = tf.train.adam(0.05);
    a.compile({ optimizer: clipped(inner, { clipnorm: 1 }), loss: 'categoricalCrossentropy' });
    const fresh = transfer.fineTune(a) as ClippedOptimizer;
    assert.ok(fresh instanceof ClippedOptimizer);
    assert.equal(fresh.clipnorm, 1);
    assert.notEqual(fresh.inner, inner);
    assert.equal(fresh.inner.getClassName(), 'Adam');
    assert.ok(Math.abs(getLearningRate(fresh.inner) - 0.005) < 1e-12);
  });

  test('unfreeze({ top }) unfreezes the output side', () => {
    const a = modelA();
    transfer.freeze(a, { upTo: 'out' });
    assert.deepEqual(transfer.unfreeze(a, { top: 1 }), ['out']);
    assert.deepEqual(a.layers.map((l) => l.trainable), [false, false, true]);
    assert.throws(() => transfer.freeze(a, {}), /exactly one of `upTo` or `layers`/);
    transfer.freeze(a, { upTo: 'out' });
    transfer.fineTune(a, { top: 2 }); // the quick fix's form: { top: 2, lrFactor: 0.1 }
    assert.deepEqual(a.layers.map((l) => l.trainable), [false, true, true]);
  });
});

test('fineTune refuses an option it does not know instead of silently unfreezing nothing', () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  assert.throws(() => transfer.fineTune(model, { unfreezeTop: 3 } as never), /unknown option `unfreezeTop`/);
});
