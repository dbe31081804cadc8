import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as mcDropout from '../../../src/training/mcDropout';
import { seluDense, alphaDropout } from '../../../src/training/layers';

before(async () => {
  await tf.setBackend('cpu');
});

describe('dropout', () => {
  test('inverted dropout: training-mode mean ≈ inference activation, std = x·√(p/(1−p)); inference has no dropout', () => {
    const p = 0.3;
    const d = 100;
    const model = tf.sequential({ layers: [tf.layers.dropout({ rate: p, inputShape: [d] })] });
    const x = tf.randomUniform([1, d], 0.5, 2, 'float32', 3);
    const xs = x.dataSync();
    assert.deepEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()), Array.from(xs));
    const n = 1000;
    const { mean, std } = mcDropout.predict(model, x, { samples: n });
    const ms = mean.dataSync();
    const ss = std.dataSync();
    let ratio = 0;
    for (let i = 0; i < d; i++) {
      const sigma = xs[i] * Math.sqrt(p / (1 - p));
      // The sample mean has standard error sigma/√n: 6 of them is a safe bound per element.
      assert.ok(Math.abs(ms[i] - xs[i]) < (6 * sigma) / Math.sqrt(n), `mean[${i}] ${ms[i]} vs ${xs[i]}`);
      assert.ok(Math.abs(ss[i] - sigma) < 0.1 * sigma, `std[${i}] ${ss[i]} vs ${sigma}`);
      ratio += ms[i] / xs[i] / d;
    }
    assert.ok(Math.abs(ratio - 1) < 0.01, `mean ratio ${ratio}`);
    const one = (model.apply(x, { training: true }) as tf.Tensor).dataSync();
    for (let i = 0; i < d; i++) assert.ok(one[i] === 0 || Math.abs(one[i] - xs[i] / (1 - p)) < 1e-5);
  });

  test('mcDropout.predict rejects bad sample counts', () => {
    const model = tf.sequential({ layers: [tf.layers.dropout({ rate: 0.5, inputShape: [2] })] });
    assert.throws(() => mcDropout.predict(model, tf.ones([1, 2]), { samples: 0 }), /`samples` must be a positive integer/);
  });
});

describe('self-normalizing layers', () => {
  test('seluDense is a Dense with selu and LeCun normal weights of std exactly 1/√fan_in', () => {
    const model = tf.sequential({ layers: [seluDense(400, { inputShape: [200] })] });
    const c = model.layers[0].getConfig() as { activation: string };
    assert.equal(c.activation, 'selu');
    const { mean, variance } = tf.moments(model.getWeights()[0]);
    const std = Math.sqrt(variance.dataSync()[0]);
    // 80 000 weights: the sample std is within 1 % of 1/√200 (tfjs's 'leCunNormal' would give 0.88/√200).
    assert.ok(Math.abs(std * Math.sqrt(200) - 1) < 0.01, `std·√200 = ${std * Math.sqrt(200)}`);
    assert.ok(Math.abs(mean.dataSync()[0]) < 0.002);
    assert.throws(() => seluDense(10, { activation: 'relu' } as never), /fixed \(selu, LeCun normal\)/);
  });

  test('a 20-layer seluDense stack keeps standardized inputs at mean ≈ 0, std ≈ 1', () => {
    const model = tf.sequential();
    model.add(seluDense(100, { inputShape: [100] }));
    for (let i = 0; i < 19; i++) model.add(seluDense(100));
    const x = tf.randomNormal([200, 100], 0, 1, 'float32', 1);
    const out = model.predict(x) as tf.Tensor;
    const { mean, variance } = tf.moments(out);
    const m = mean.dataSync()[0];
    const s = Math.sqrt(variance.dataSync()[0]);
    assert.ok(Math.abs(m) < 0.2, `mean ${m}`);
    assert.ok(Math.abs(s - 1) < 0.2, `std ${s}`);
  });

  test('alphaDropout keeps mean 0 and variance 1 of standardized inputs in training, identity in inference', () => {
    const p = 0.2;
    const model = tf.sequential({ layers: [alphaDropout({ rate: p, inputShape: [1000] })] });
    const x = tf.randomNormal([50, 1000], 0, 1, 'float32', 2);
    const out = model.apply(x, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(out);
    assert.ok(Math.abs(mean.dataSync()[0]) < 0.02, `mean ${mean.dataSync()[0]}`);
    assert.ok(Math.abs(variance.dataSync()[0] - 1) < 0.05, `variance ${variance.dataSync()[0]}`);
    // Every output is a·x + b (kept) or a·α' + b (dropped to SELU's negative saturation α' = −λα).
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const a = ((1 - p) * (1 + p * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * p;
    const xs = x.dataSync();
    const os = out.dataSync();
    let dropped = 0;
    for (let i = 0; i < xs.length; i++) {
      if (Math.abs(os[i] - (a * alphaP + b)) < 1e-5) dropped++;
      else assert.ok(Math.abs(os[i] - (a * xs[i] + b)) < 1e-5);
    }
    assert.ok(Math.abs(dropped / xs.length - p) < 0.02);
    assert.deepEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()), Array.from(xs));
  });

  test("tfjs's own alphaDropout does not keep the mean (why gs has its own)", () => {
    const model = tf.sequential({ layers: [tf.layers.alphaDropout({ rate: 0.2, inputShape: [1000] })] });
    const out = model.apply(tf.randomNormal([50, 1000], 0, 1, 'float32', 2), { training: true }) as tf.Tensor;
    assert.ok(tf.mean(out).dataSync()[0] > 0.3);
  });
});

test('MC dropout refuses seeded dropout layers, whose masks never change (std would be 0)', () => {
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 4, inputShape: [2] }),
    tf.layers.dropout({ rate: 0.5, seed: 1, name: 'seeded_dropout' }),
    tf.layers.dense({ units: 1 }),
  ] });
  assert.throws(() => mcDropout.predict(model, tf.ones([3, 2]), { samples: 5 }), /seeded_dropout has a fixed `seed`/);
});
