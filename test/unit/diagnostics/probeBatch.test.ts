/**
 * The probe batch: drawn at random (seeded) from the whole training set, per class when the targets
 * are classes, fixed for the run and described in the snapshot; on class-sorted data the probe sees
 * every class and dead-relu does not fire on units that are alive for other classes.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { classesOf, drawProbeBatch } from '../../../src/diagnostics/probeBatch';
import { fit } from '../../../src/library';
import { healthMonitor } from '../../../src/diagnostics';
import type { HealthSnapshot } from '../../../src/protocol/health';

describe('probe batch', () => {
  before(async () => { await tf.setBackend('cpu'); });

  test('sorted one-hot classes: each class gets its share, the same samples for the same seed, others for another', () => {
    // 150 samples sorted by class (50 each), like iris's training set.
    const labels = Array.from({ length: 150 }, (_, i) => Math.floor(i / 50));
    const x = tf.tensor2d(labels.map((c, i) => [i, c]));
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
    const a = drawProbeBatch({ x, y }, 32, 0);
    const drawn = (a.x as tf.Tensor).arraySync() as number[][];
    const per = [0, 1, 2].map((c) => drawn.filter((r) => r[1] === c).length);
    assert.deepEqual([...per].sort(), [10, 11, 11]);
    assert.equal(new Set(drawn.map((r) => r[0])).size, 32, 'no sample twice');
    assert.deepEqual((a.y as tf.Tensor).argMax(1).arraySync(), drawn.map((r) => r[1]), 'targets stay with their inputs');
    assert.deepEqual(a.info, { size: 32, of: 150, drawn: 'stratified', classes: 3, seed: 0, description: '32 of 150 training samples, drawn at random per class (3 classes), seed 0' });
    const again = drawProbeBatch({ x, y }, 32, 0);
    assert.deepEqual((again.x as tf.Tensor).arraySync(), drawn);
    const other = drawProbeBatch({ x, y }, 32, 7);
    assert.notDeepEqual((other.x as tf.Tensor).arraySync(), drawn);
    assert.notDeepEqual(drawn.map((r) => r[0]), [...Array(32).keys()], 'not the first 32');
    tf.dispose([x, y, ...a.owned, ...again.owned, ...other.owned]);
  });

  test('integer labels are classes; real-valued targets get a plain random draw; a small set is taken whole', () => {
    assert.deepEqual([...classesOf(tf.tensor1d([2, 0, 1, 2]))!], [2, 0, 1, 2]);
    assert.deepEqual([...classesOf(tf.tensor2d([[1], [0], [1]]))!], [1, 0, 1]);
    assert.equal(classesOf(tf.tensor2d([[0.5], [1.5]])), undefined);
    assert.equal(classesOf(tf.tensor2d([[1, 1], [0, 1]])), undefined, 'multi-label rows are not classes');
    const x = tf.randomNormal([100, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([100, 1], 0, 1, 'float32', 2);
    const r = drawProbeBatch({ x, y }, 32, 0);
    assert.equal(r.info.drawn, 'random');
    assert.equal((r.x as tf.Tensor).shape[0], 32);
    const all = drawProbeBatch({ x: x.slice(0, 20), y: y.slice(0, 20) }, 32, 0);
    assert.equal(all.info.drawn, 'all');
    assert.equal(all.info.description, 'all 20 training samples');
    assert.equal(all.owned.length, 0);
    tf.dispose([x, y, ...r.owned]);
  });

  test('gs.fit on class-sorted data: the snapshot names the draw, and a ReLU unit alive only for later classes is not dead', async () => {
    // Class c's samples have feature c set: unit c of the first layer is active only on class c.
    const n = 300;
    const labels = Array.from({ length: n }, (_, i) => Math.floor((3 * i) / n));
    const x = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat());
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 3, activation: 'relu', inputShape: [3], kernelInitializer: 'identity', biasInitializer: tf.initializers.constant({ value: -0.5 }), trainable: true }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    let last: HealthSnapshot | undefined;
    await fit(model, x, y, { optimizer: tf.train.sgd(1e-6), loss: 'categoricalCrossentropy', epochs: 1, batchSize: 32, shuffle: false,
      observers: [healthMonitor({ onSnapshot: (s) => (last = s) })] });
    assert.equal(last!.probeBatch!.description, '32 of 300 training samples, drawn at random per class (3 classes), seed 0');
    // The first 32 samples are all class 0: units 1 and 2 would look dead (2/3 of the layer).
    assert.equal(last!.layers[0].latestSaturation!.dead, 0, 'each unit fires for its own class, and every class is in the probe batch');
    assert.ok(!last!.findings.some((f) => f.code === 'dead-relu'));
    tf.dispose([x, y]);
    model.dispose();
  });
});
