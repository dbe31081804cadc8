/**
 * gs.lrFinder on problems whose good learning rates are measured in the test itself: each candidate
 * rate trains a copy of the model from the same initial weights, and the rates that bring the loss
 * below 1 % of its start are the good range. The suggestion must fall inside it, and the model's
 * weights and optimizer state must be bit for bit as before the test.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lrFinder, freshCopy } from '../../../src/diagnostics/lrFinder';
import { clipped } from '../../../src/training/optimizers';

before(async () => {
  await tf.setBackend('cpu');
});

/** y = x·w + noise (σ 0.1), 4 features. */
function regression(n: number) {
  const x = tf.randomNormal([n, 4], 0, 1, 'float32', 1);
  const w = tf.tensor2d([[1], [-2], [0.5], [3]]);
  return { x, y: tf.add(tf.matMul(x, w), tf.randomNormal([n, 1], 0, 0.1, 'float32', 2)) };
}
const data = () => regression(512);

function linear(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4], kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) })] });
}
function mlp(norm = false): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: 16, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 4 }) }),
    ...(norm ? [tf.layers.batchNormalization(), tf.layers.dropout({ rate: 0.1 })] : []),
    tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }),
  ] });
}

const values = (model: tf.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));
const optimizerState = async (o: tf.Optimizer) => (await o.getWeights()).map((w) => ({ name: w.name, v: Array.from(w.tensor.dataSync()) }));

/**
 * The rates of `grid` that train the model (from `make`'s initial weights) to below 1 % of its
 * starting loss within 6 epochs of batches of 32, as [lowest, highest]; asserts they are contiguous.
 */
async function goodRange(make: () => tf.Sequential, opt: (lr: number) => tf.Optimizer, grid: number[], x: tf.Tensor, y: tf.Tensor): Promise<[number, number]> {
  const good: boolean[] = [];
  for (const lr of grid) {
    const m = make();
    m.compile({ optimizer: opt(lr), loss: 'meanSquaredError' });
    const l0 = (m.evaluate(x, y) as tf.Scalar).dataSync()[0];
    await m.fit(x, y, { epochs: 6, batchSize: 32, verbose: 0 });
    const l1 = (m.evaluate(x, y) as tf.Scalar).dataSync()[0];
    good.push(Number.isFinite(l1) && l1 < 0.01 * l0);
  }
  const first = good.indexOf(true);
  const last = good.lastIndexOf(true);
  assert.ok(first >= 0, 'some rate of the grid trains the model');
  assert.ok(good.slice(first, last + 1).every(Boolean), `the good rates are one range: ${grid.map((g, i) => `${g}:${good[i]}`).join(' ')}`);
  assert.ok(first > 0 && last < grid.length - 1, 'the grid reaches rates too low and too high on both sides');
  return [grid[first], grid[last]];
}

const GRID = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10, 30];

describe('gs.lrFinder', () => {
  test('SGD on linear regression: the suggestion lies in the range of rates that train, the model is as before', async () => {
    const { x, y } = data();
    const [lo, hi] = await goodRange(linear, (lr) => tf.train.sgd(lr), GRID, x, y);
    const model = linear();
    const sgd = tf.train.sgd(0.01);
    model.compile({ optimizer: sgd, loss: 'meanSquaredError' });
    const before = values(model);
    const r = await lrFinder(model, x, y, { start: 1e-5, end: 10, steps: 100 });
    const s = r.suggestion.lr;
    assert.ok(s !== undefined, `a rate is suggested: ${r.toString()}`);
    assert.ok(s >= lo && s <= hi, `suggested ${s} lies in the good range [${lo}, ${hi}]`);
    assert.deepEqual(values(model), before, 'weights unchanged');
    assert.equal((sgd as unknown as { learningRate: number }).learningRate, 0.01, "the model's SGD keeps its rate");
    // The test ran at rates up to divergence: SGD's rate really changed (its cached -lr scalar too).
    assert.ok(r.diverged, 'SGD diverges before 10 on this problem');
    assert.ok(r.diverged!.lr > hi / 3 && r.diverged!.lr < 30, `diverged at ${r.diverged!.lr}, above the good range`);
    assert.ok(r.lr.length < 100, 'stopped at the divergence');
    assert.match(r.suggestion.reason.join(' '), /steepest descent between there and the minimum at .*Suggested: that rate/);
    assert.ok(r.steepest && r.minimum && r.steepest.lr < r.minimum.lr, 'the steepest point comes before the minimum');
    // The model trains from its untouched weights with the rate found.
    const l0 = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    sgd.setLearningRate(s);
    await model.fit(x, y, { epochs: 6, batchSize: 32, verbose: 0 });
    assert.ok((model.evaluate(x, y) as tf.Scalar).dataSync()[0] < 0.01 * l0);
  });

  test('Adam on an MLP: the suggestion lies in the range of rates that train', async () => {
    const { x, y } = data();
    const [lo, hi] = await goodRange(mlp, (lr) => tf.train.adam(lr), GRID, x, y);
    const model = mlp();
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const r = await lrFinder(model, x, y, { start: 1e-5, end: 10, steps: 100 });
    const s = r.suggestion.lr;
    assert.ok(s !== undefined && s >= lo && s <= hi, `suggested ${s} lies in the good range [${lo}, ${hi}]: ${r.toString()}`);
  });

  test('an MLP with batch norm and dropout: weights, moving statistics and Adam state unchanged', async () => {
    const { x, y } = data();
    const model = mlp(true);
    const adam = tf.train.adam(1e-3);
    model.compile({ optimizer: adam, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 }); // Adam has moments now
    const before = values(model);
    const state = await optimizerState(adam);
    const r = await lrFinder(model, x, y, { start: 1e-5, end: 10, steps: 100 });
    assert.ok(r.lr.length > 10);
    assert.deepEqual(values(model), before, 'weights and batch-norm moving statistics unchanged');
    assert.deepEqual(await optimizerState(adam), state, 'Adam iterations and moments unchanged');
    assert.equal(r.payload.optimizer, 'Adam');
  });

  test('a clipped optimizer (gs.optimizers.clipped) is copied with its clipping; the original keeps its norms', async () => {
    const { x, y } = data();
    const model = linear();
    const opt = clipped(tf.train.sgd(0.01), { clipnorm: 1 });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const before = values(model);
    const r = await lrFinder(model, x, y, { start: 1e-4, end: 10, steps: 60 });
    assert.equal(opt.norms.pre.length, 0, 'the model\'s optimizer took no step');
    assert.deepEqual(values(model), before);
    assert.ok(r.lr.length > 10 && r.suggestion.reason.length > 2);
    const copy = freshCopy(opt) as typeof opt;
    assert.equal(copy.clipnorm, 1);
    assert.notEqual(copy.inner, opt.inner);
  });

  test('no descent over the range: no rate is suggested, and the reason says why', async () => {
    const { x, y } = data();
    const model = linear();
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const r = await lrFinder(model, x, y, { start: 1e-9, end: 1e-8, steps: 40 });
    assert.equal(r.suggestion.lr, undefined);
    assert.match(r.suggestion.reason.at(-1)!, /fell by .*less than 5 % or within 3× the noise.*wider range/);
    assert.match(r.toString(), /^No learning rate suggested/);
  });

  test('bad arguments name the option', async () => {
    const { x, y } = data();
    const model = linear();
    await assert.rejects(lrFinder(model, x, y), /not compiled/);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    await assert.rejects(lrFinder(model, x, y, { start: 1, end: 0.1 }), /`end` \(0.1\) must be greater than `start` \(1\)/);
    await assert.rejects(lrFinder(model, x, y, { steps: 2 }), /`steps` must be a whole number ≥ 3/);
    await assert.rejects(lrFinder(model, x, y, { beta: 1 }), /`beta` must be in \[0, 1\)/);
    await assert.rejects(lrFinder(model, x, y, { divergeFactor: 1 }), /`divergeFactor` must be a number > 1/);
    await assert.rejects(lrFinder(model, x, y, { burnIn: 99 }), /`burnIn` \(99\) leaves fewer than 3/);
    await assert.rejects(lrFinder(model, x, y, { stepz: 5 } as never), /unknown option `stepz`/);
    await assert.rejects(lrFinder(model, x, y, { display: true }), /`display: true` needs a Gradscope kernel/);
  });

  test('leaves no tensors behind', async () => {
    const { x, y } = data();
    const model = linear();
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    await lrFinder(model, x, y, { steps: 20 });
    const n = tf.memory().numTensors;
    await lrFinder(model, x, y, { start: 1e-4, end: 100, steps: 50 });
    assert.equal(tf.memory().numTensors, n);
  });
});
