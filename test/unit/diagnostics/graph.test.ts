/**
 * Attribution from the model graph: a standalone activation belongs to the layer whose output it
 * transforms (not the one listed before it), in functional models with branches, shared layers,
 * several inputs and outputs; the output layers are the graph's; each output's own compiled loss.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { probeModel } from '../../../src/diagnostics/probe';
import { summarizeModel } from '../../../src/engine/modelSummary';
import { outputLayerNames, sourceOf } from '../../../src/engine/graph';
import { standaloneActivationKind } from '../../../src/engine/activations';
import { fit } from '../../../src/library';
import type { HealthSnapshot } from '../../../src/protocol/health';

const init = (seed: number) => tf.initializers.glorotNormal({ seed });

/**
 * Two branches from one input: A is a linear layer through a sigmoid Activation, B two linear layers;
 * tfjs lists B's first layer right before A's Activation. A regression head on both branches and a
 * softmax head (a standalone Activation) on B.
 */
function branchy(): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'x' });
  const aLin = tf.layers.dense({ units: 16, name: 'a_linear', kernelInitializer: init(1), biasInitializer: tf.initializers.constant({ value: 6 }) }).apply(input) as tf.SymbolicTensor;
  const b1 = tf.layers.dense({ units: 16, name: 'b1_linear', kernelInitializer: init(2) }).apply(input) as tf.SymbolicTensor;
  const b2 = tf.layers.dense({ units: 16, name: 'b2_linear', kernelInitializer: init(5) }).apply(b1) as tf.SymbolicTensor;
  const aSig = tf.layers.activation({ activation: 'sigmoid', name: 'a_sigmoid' }).apply(aLin) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: 'join' }).apply([aSig, b2]) as tf.SymbolicTensor;
  const reg = tf.layers.dense({ units: 1, name: 'reg_head', kernelInitializer: init(3) }).apply(joined) as tf.SymbolicTensor;
  const clsLin = tf.layers.dense({ units: 3, name: 'cls_linear', kernelInitializer: init(4) }).apply(b2) as tf.SymbolicTensor;
  const cls = tf.layers.activation({ activation: 'softmax', name: 'cls_softmax' }).apply(clsLin) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: [reg, cls] });
  m.compile({ optimizer: tf.train.sgd(1e-3), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
  return m;
}

describe('attribution from the model graph', () => {
  before(async () => { await tf.setBackend('cpu'); });

  test('a branch\'s sigmoid Activation belongs to that branch\'s linear layer; the softmax head is the classification head', () => {
    const m = branchy();
    // model.layers order puts b1_linear right before a_sigmoid: order-based attribution picked it.
    const order = m.layers.map((l) => l.name);
    assert.equal(order.indexOf('b1_linear'), order.indexOf('a_sigmoid') - 1, order.join(' '));
    const x = tf.randomNormal([32, 4], 0, 1, 'float32', 5);
    const y = [tf.randomNormal([32, 1], 0, 1, 'float32', 6), tf.oneHot(tf.randomUniform([32], 0, 3, 'int32', 7), 3).toFloat()];
    const r = probeModel(m, x, y, [(a, b) => tf.losses.meanSquaredError(a, b) as tf.Scalar, (a, b) => tf.metrics.categoricalCrossentropy(a, b).mean() as tf.Scalar]);
    const by = new Map(r.layers.map((l) => [l.layer, l]));
    assert.equal(by.get('a_linear')!.saturation?.kind, 'sigmoid');
    assert.ok((by.get('a_linear')!.saturation?.saturated ?? 0) > 0.5, 'bias 6: most of branch A saturated');
    assert.notEqual(by.get('b1_linear')!.saturation?.kind, 'sigmoid');
    assert.equal(by.get('cls_linear')!.saturation?.kind, 'softmax');
    assert.notEqual(by.get('reg_head')!.saturation?.kind, 'softmax', 'the regression head is not labelled softmax');
    const s = summarizeModel(m);
    const info = new Map(s.layers.map((l) => [l.name, l]));
    assert.deepEqual(s.layers.filter((l) => l.output).map((l) => l.name).sort(), ['cls_linear', 'reg_head']);
    assert.equal(info.get('a_linear')!.activatedBy, 'a_sigmoid');
    assert.equal(info.get('cls_linear')!.activatedBy, 'cls_softmax');
    assert.equal(info.get('b1_linear')!.activatedBy, undefined);
    tf.dispose([x, ...y]);
    m.dispose();
  });

  test('each output\'s own compiled loss: the probe\'s loss is the sum of the two heads\' own losses, not the first loss twice', async () => {
    const m = branchy();
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 5);
    const y = [tf.randomNormal([64, 1], 0, 1, 'float32', 6), tf.oneHot(tf.randomUniform([64], 0, 3, 'int32', 7), 3).toFloat()];
    const [own, firstTwice] = tf.tidy(() => {
      const [pr, pc] = m.predict(x) as tf.Tensor[];
      const mse = tf.losses.meanSquaredError(y[0], pr).dataSync()[0];
      return [mse + tf.metrics.categoricalCrossentropy(y[1], pc).mean().dataSync()[0], mse + tf.losses.meanSquaredError(y[1], pc).dataSync()[0]];
    });
    let probed: number | undefined;
    await fit(m, x, y, { epochs: 1, batchSize: 64, observers: [{
      onTrainBegin(info) { probed = probeModel(m, info.probe.x, info.probe.y, info.losses!, { training: false }).loss; },
      onBatchBegin() {}, onBatchEnd() {}, onEpochEnd() {}, onEvent() {}, onTrainEnd() {},
    }] });
    assert.ok(Math.abs(probed! - own) < 1e-4 * Math.max(1, own), `probe ${probed} vs compiled losses ${own}`);
    assert.ok(Math.abs(firstTwice - own) > 0.1, `the test tells them apart: ${firstTwice} vs ${own}`);
    tf.dispose([x, ...y]);
    m.dispose();
  });

  test('saturated-sigmoid names the branch that saturates, through gs.fit on the functional model', async () => {
    const m = branchy();
    const x = tf.randomNormal([128, 4], 0, 1, 'float32', 5);
    const y = [tf.randomNormal([128, 1], 0, 1, 'float32', 6), tf.oneHot(tf.randomUniform([128], 0, 3, 'int32', 7), 3).toFloat()];
    let last: HealthSnapshot | undefined;
    await fit(m, x, y, { epochs: 2, batchSize: 32, diagnostics: { onSnapshot: (s: HealthSnapshot) => (last = s) } });
    const byLayer = new Map(last!.layers.map((l) => [l.layer, l]));
    assert.equal(byLayer.get('a_linear')!.latestSaturation?.kind, 'sigmoid');
    assert.notEqual(byLayer.get('b1_linear')!.latestSaturation?.kind, 'sigmoid');
    for (const f of last!.findings) assert.ok(!f.layers.includes('b1_linear') || !/sigmoid/.test(f.code), `${f.code} on b1_linear`);
    tf.dispose([x, ...y]);
    m.dispose();
  });

  test('shared layers and several inputs: one Dense applied to two inputs keeps its activation; an Activation shared by two sources is nobody\'s', () => {
    const a = tf.input({ shape: [3], name: 'in_a' });
    const b = tf.input({ shape: [3], name: 'in_b' });
    const shared = tf.layers.dense({ units: 4, name: 'shared' });
    const relu = tf.layers.activation({ activation: 'relu', name: 'relu_shared' });
    const ha = relu.apply(shared.apply(a) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const hb = relu.apply(shared.apply(b) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const other = tf.layers.dense({ units: 4, name: 'other' }).apply(b) as tf.SymbolicTensor;
    const tanh = tf.layers.activation({ activation: 'tanh', name: 'tanh_mixed' });
    const t1 = tanh.apply(other) as tf.SymbolicTensor;
    const t2 = tanh.apply(ha) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: 'out' }).apply(tf.layers.concatenate().apply([ha, hb, t1, t2]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const m = tf.model({ inputs: [a, b], outputs: out });
    const layer = (n: string) => m.getLayer(n);
    assert.equal(sourceOf(m, layer('relu_shared'))?.name, 'shared');
    assert.equal(sourceOf(m, layer('tanh_mixed')), undefined, 'two different sources: no single owner');
    assert.deepEqual([...outputLayerNames(m, (l) => standaloneActivationKind(l) !== undefined)], ['out']);
    const xs = [tf.randomNormal([8, 3], 0, 1, 'float32', 1), tf.randomNormal([8, 3], 0, 1, 'float32', 2)];
    const r = probeModel(m, xs, tf.zeros([8, 1]), (p, q) => tf.losses.meanSquaredError(p, q) as tf.Scalar);
    const by = new Map(r.layers.map((l) => [l.layer, l]));
    assert.equal(by.get('shared')!.saturation?.kind, 'relu');
    assert.notEqual(by.get('other')!.saturation?.kind, 'tanh');
    tf.dispose([...xs]);
    m.dispose();
  });

  test('in a Sequential model, Dense → Dropout → Activation still belongs to the Dense', () => {
    const m = tf.sequential({ layers: [
      tf.layers.dense({ units: 8, inputShape: [3], name: 'd1' }), tf.layers.dropout({ rate: 0.1, name: 'drop' }),
      tf.layers.activation({ activation: 'tanh', name: 'act' }), tf.layers.dense({ units: 1, name: 'd2' }),
    ] });
    assert.equal(sourceOf(m, m.getLayer('act'))?.name, 'd1');
    assert.deepEqual(summarizeModel(m).layers.filter((l) => l.output).map((l) => l.name), ['d2']);
    m.dispose();
  });
});
