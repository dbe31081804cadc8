import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { applyMeasuring, fusedAdamActive, setFusedAdam } from '../../../src/engine/wasm/adam';
import { sumsSqOnHost } from '../../../src/engine/hostValues';
import { ClippedOptimizer } from '../../../src/training/optimizers';
import { setLearningRate } from '../../../src/training/learningRate';
import { tf, useWasm, values } from './helpers';

/** Layer sizes chosen so some variables are not a multiple of 4 long (the loop's scalar tail). */
function model(optimizer: tf.Optimizer, frozenFirst = false): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [13], units: 7, activation: 'relu' }),
      tf.layers.dense({ units: 9, activation: 'tanh' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(values(w.size, 70 + i).map((v) => v * 0.4), w.shape)));
  if (frozenFirst) m.layers[0].trainable = false;
  m.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return m;
}

const x = () => tf.tensor2d(values(64 * 13, 3), [64, 13]);
const y = () => tf.oneHot(tf.tensor1d(Array.from(values(64, 4), (v) => Math.floor((v + 1) * 1.5) % 3), 'int32'), 3);

/** Counts the kernels run by `fn` by name. */
async function kernelsRun(fn: () => Promise<unknown>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const wrapped = ['Sqrt', 'RealDiv'].map((name) => {
    const k = tf.getKernel(name, 'wasm')!;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...k, kernelFunc: (a) => (counts.set(name, (counts.get(name) ?? 0) + 1), k.kernelFunc(a)) });
    return k;
  });
  try {
    await fn();
  } finally {
    for (const k of wrapped) {
      tf.unregisterKernel(k.kernelName, 'wasm');
      tf.registerKernel(k);
    }
  }
  return counts;
}

/** Trains 20 steps (learning rate lowered halfway) and returns weights and Adam's moments as numbers. */
async function train(fused: boolean, wrap: boolean, frozenFirst: boolean): Promise<{ weights: Float32Array[]; slots: Float32Array[]; sqrt: number }> {
  setFusedAdam(tf, fused);
  const adam = tf.train.adam(0.02);
  const m = model(wrap ? new ClippedOptimizer(adam, { clipnorm: 0.5 }) : adam, frozenFirst);
  const [xs, ys] = [x(), y()];
  const counts = await kernelsRun(async () => {
    await m.fit(xs, ys, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });
    setLearningRate(m.optimizer, 0.005);
    await m.fit(xs, ys, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });
  });
  // By layer: model.getWeights() lists trainable weights first, so freezing would reorder it.
  const weights = m.layers.flatMap((l) => l.getWeights()).map((w) => w.dataSync().slice() as Float32Array);
  const slots = (await adam.getWeights()).slice(1).map((s) => s.tensor.dataSync().slice() as Float32Array);
  m.dispose();
  adam.dispose();
  tf.dispose([xs, ys]);
  return { weights, slots, sqrt: counts.get('Sqrt') ?? 0 };
}

describe('Adam update in one pass on wasm', () => {
  before(async () => {
    await useWasm();
    assert.deepEqual(ensureBackendPatches(tf).fused, ['adam']);
  });
  after(() => removeBackendPatches(tf));

  for (const [label, wrap, frozen] of [['plain adam', false, false], ['clipped adam with a frozen layer', true, true]] as const) {
    test(`${label}: weights and moments after 16 steps equal the stock update's bit for bit`, async () => {
      const stock = await train(false, wrap, frozen);
      const ours = await train(true, wrap, frozen);
      // The stock update takes one square root per variable and step; clipping takes its own in both.
      const variables = frozen ? 4 : 6;
      assert.equal(stock.sqrt - ours.sqrt, 16 * variables, `the fused update replaced the stock one (Sqrt ${stock.sqrt} vs ${ours.sqrt})`);
      assert.equal(ours.slots.length, stock.slots.length);
      assert.ok(ours.slots.length > 0);
      [...stock.weights, ...stock.slots].forEach((want, i) => {
        const got = [...ours.weights, ...ours.slots][i];
        const firstDiff = got.findIndex((v, j) => !Object.is(v, want[j]));
        assert.equal(firstDiff, -1, `tensor ${i} differs at ${firstDiff}: ${got[firstDiff]} vs ${want[firstDiff]}`);
      });
      const init = model(tf.train.sgd(0));
      const moved = init.layers.flatMap((l) => l.getWeights()).map((w, i) => Math.max(...Array.from(w.dataSync(), (v, j) => Math.abs(v - ours.weights[i][j]))));
      init.dispose();
      if (frozen) assert.equal(moved[0], 0, 'the frozen kernel did not move');
      assert.ok(moved[2] > 1e-3, `the trained kernel moved (${moved[2]})`);
    });
  }

  test('the fused update hands back each gradient\'s Σg², equal to the diagnostics\' own sums; a clipped run meters the same norms with it on or off', async () => {
    setFusedAdam(tf, true);
    const w = tf.variable(tf.tensor1d(values(1031, 3)), true, 'sqProbe');
    const b = tf.variable(tf.tensor1d(values(7, 4)), true, 'sqProbe2');
    const grads = [{ name: 'sqProbe', tensor: tf.tensor1d(values(1031, 5)) }, { name: 'sqProbe2', tensor: tf.tensor1d(values(7, 6)) }];
    const want = sumsSqOnHost(grads.map((g) => g.tensor))!;
    const adam = tf.train.adam(0.01);
    const got = applyMeasuring(adam, grads);
    assert.deepEqual(got && [...got.entries()], [['sqProbe', want[0]], ['sqProbe2', want[1]]]);
    assert.equal(applyMeasuring(tf.train.sgd(0.1), grads), undefined, 'SGD has no fused pass: the caller measures');
    tf.dispose([w, b, ...grads.map((g) => g.tensor)]);
    adam.dispose();

    const metered = async (fused: boolean) => {
      setFusedAdam(tf, fused);
      const opt = new ClippedOptimizer(tf.train.adam(0.02), {});
      const m = model(opt);
      const [xs, ys] = [x(), y()];
      await m.fit(xs, ys, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });
      const out = { norms: [...opt.norms.pre], last: [...opt.lastSquares.values()] };
      m.dispose();
      tf.dispose([xs, ys]);
      return out;
    };
    const stock = await metered(false);
    const ours = await metered(true);
    assert.equal(ours.norms.length, 8);
    assert.deepEqual(ours, stock);
  });

  test('NaN gradients give NaN weights as the stock update does, not silent zeros', async () => {
    setFusedAdam(tf, true);
    const adam = tf.train.adam(0.01);
    const w = tf.variable(tf.tensor1d([1, 2, 3, 4, 5]), true, 'nanProbe');
    adam.applyGradients([{ name: 'nanProbe', tensor: tf.tensor1d([0.1, NaN, 0.3, Infinity, -0.5]) }]);
    const got = Array.from(w.dataSync());
    assert.ok(Number.isNaN(got[1]) && Number.isNaN(got[3]), `NaN where the gradient was not finite: ${got}`);
    assert.ok(Number.isFinite(got[0]) && got[0] < 1 && got[4] > 5, `finite entries stepped against the gradient: ${got}`);
    w.dispose();
    adam.dispose();
  });

  test('turning the overrides off, or another backend, gives the stock update', async () => {
    ensureBackendPatches(tf, { overrides: false });
    assert.equal(fusedAdamActive(tf), false);
    const off = await train(fusedAdamActive(tf), false, false);
    assert.ok(off.sqrt >= 16, 'stock kernels ran with the overrides off');
    ensureBackendPatches(tf, { overrides: true });
    assert.equal(fusedAdamActive(tf), true);
    await tf.setBackend('cpu');
    try {
      const adam = tf.train.adam(0.1);
      const w = tf.variable(tf.tensor1d([1, 2]), true, 'cpuProbe');
      adam.applyGradients([{ name: 'cpuProbe', tensor: tf.tensor1d([1, -1]) }]);
      assert.deepEqual(Array.from(w.dataSync()).map((v) => Math.round(v * 1e4) / 1e4), [0.9, 2.1]);
      w.dispose();
      adam.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
