/**
 * The health monitor on real small trainings through gs.fit (cpu backend): each rule on a model
 * built to trigger it and on a healthy one that must not; the snapshot a user sees; no tensor leaks.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fit } from '../../../src/library';
import { leCunNormal as gsLeCun } from '../../../src/training/layers';
import { healthMonitor, type HealthMonitorArgs } from '../../../src/diagnostics';
import type { HealthSnapshot } from '../../../src/protocol/health';

type D = { x: tf.Tensor; y: tf.Tensor };
/** `n` samples of y = x·w + noise (σ 0.5); samples with the same `wSeed` come from the same task. */
function regression(n: number, seed: number, wSeed = seed + 1): D {
  const x = tf.randomNormal([n, 8], 0, 1, 'float32', seed);
  const w = tf.randomNormal([8, 1], 0, 1, 'float32', wSeed);
  return { x, y: tf.add(tf.matMul(x, w), tf.randomNormal([n, 1], 0, 0.5, 'float32', seed + 2)) };
}
const dense = (units: number, activation: string, more: Record<string, unknown> = {}) =>
  tf.layers.dense({ units, activation: activation as never, ...more });

async function train(layers: tf.layers.Layer[], opts: { optimizer: tf.Optimizer; epochs: number; data?: D; monitor?: HealthMonitorArgs; [k: string]: unknown }): Promise<{ snapshot: HealthSnapshot; model: tf.LayersModel; error?: Error }> {
  const model = tf.sequential({ layers });
  const { x, y } = opts.data ?? regression(256, 1);
  const monitor = healthMonitor({ sampleEvery: 4, ...opts.monitor });
  const { optimizer, epochs, data, monitor: _m, ...rest } = opts;
  void data; void _m;
  let error: Error | undefined;
  try {
    await fit(model, x, y, { optimizer, loss: 'meanSquaredError', epochs, batchSize: 32, observers: [monitor], ...rest });
  } catch (e) {
    error = e as Error;
  }
  return { snapshot: monitor.snapshot(), model, error };
}
const codes = (s: HealthSnapshot) => s.findings.map((f) => f.code);

describe('health monitor on real trainings', () => {
  before(async () => { await tf.setBackend('cpu'); });

  test('a healthy MLP: no findings, and the snapshot shows every weighted layer, losses, lr and the frozen map', async () => {
    const { snapshot: s, model } = await train(
      [dense(32, 'relu', { inputShape: [8] }), tf.layers.dropout({ rate: 0.1 }), dense(32, 'relu'), dense(1, 'linear')],
      { optimizer: tf.train.adam(1e-2), epochs: 3 },
    );
    assert.deepEqual(codes(s), []);
    assert.equal(s.status, 'finished');
    assert.equal(s.version, 1);
    assert.equal(s.progress.totalSteps, 24);
    assert.deepEqual(s.training.loss.step, Array.from({ length: 24 }, (_, i) => i));
    assert.ok(s.training.lr.value.every((v) => Math.abs((v as number) - 1e-2) < 1e-9));
    assert.equal(s.training.epochLoss.value.length, 3);
    assert.deepEqual(s.layers.map((l) => l.layer), [model.layers[0].name, model.layers[2].name, model.layers[3].name]);
    for (const l of s.layers) {
      assert.deepEqual(l.sensitivityRms.step, [0, 4, 8, 12, 16, 20, 23], 'every 4th step and the last');
      assert.ok(l.sensitivityRms.value.every((v) => v !== null && v > 0));
      assert.ok(l.updateRatio.value.every((v) => v !== null && v > 1e-5 && v < 1));
    }
    assert.equal(s.layers[0].latestSaturation?.kind, 'relu');
    assert.equal(s.model.layers[1].className, 'Dropout');
    assert.deepEqual(s.model.layers[0].params, { trainable: 8 * 32 + 32, nonTrainable: 0 });
    assert.equal(s.model.trainableParams, 8 * 32 + 32 + 32 * 32 + 32 + 33);
    assert.equal(s.backend, 'cpu');
  });

  test('vanishing-gradient on a 10-layer sigmoid net, not on the same depth with ReLU + He init', async () => {
    const deep = (act: string, init: string) => [dense(32, act, { inputShape: [8], kernelInitializer: init }), ...Array.from({ length: 8 }, () => dense(32, act, { kernelInitializer: init })), dense(1, 'linear')];
    const bad = await train(deep('sigmoid', 'glorotUniform'), { optimizer: tf.train.sgd(1e-2), epochs: 1 });
    const f = bad.snapshot.findings.find((x) => x.code === 'vanishing-gradient');
    assert.ok(f, codes(bad.snapshot).join());
    assert.ok((f.evidence.ratio as number) > 100);
    assert.equal(f.fixes[0], 'activation-relu');
    const good = await train(deep('relu', 'heNormal'), { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    assert.ok(!codes(good.snapshot).includes('vanishing-gradient'), codes(good.snapshot).join());
  });

  test('an unknown or non-numeric threshold is refused by name, never dropped', () => {
    assert.throws(() => healthMonitor({ thresholds: { seluMeanDrift: 1 } as never }), /unknown threshold `seluMeanDrift` \(known: .*vanishingFactor/);
    assert.throws(() => healthMonitor({ thresholds: { vanishingFactor: '20' as never } }), /threshold vanishingFactor must be a finite number, got 20/);
    assert.doesNotThrow(() => healthMonitor({ thresholds: { vanishingFactor: 20 } }));
  });

  test('a healthy He/ReLU CNN is not read as vanishing although its per-value RMS falls more than 20× from head to first convolution', async () => {
    let seed = 100;
    const he = () => tf.initializers.heNormal({ seed: seed++ });
    const conv = (filters: number, more: Record<string, unknown> = {}) =>
      tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(), ...more });
    const x = tf.randomNormal([64, 16, 16, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2), 10).toFloat();
    const model = tf.sequential({ layers: [
      conv(16, { inputShape: [16, 16, 3] }), conv(16), tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(32), conv(32), tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(), dense(64, 'relu', { kernelInitializer: he() }), dense(10, 'softmax'),
    ] });
    const monitor = healthMonitor({ sampleEvery: 1, thresholds: { vanishingFactor: 20 } });
    await fit(model, x, y, { optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', epochs: 1, batchSize: 32, observers: [monitor] });
    const s = monitor.snapshot();
    const rms = s.layers.map((l) => l.sensitivityRms.value.at(-1) as number);
    assert.ok(rms.at(-1)! / rms[0] > 20, `the per-value RMS alone would read as vanishing at 20×: ${rms.map((v) => v.toExponential(1)).join(' ')}`);
    assert.ok(!codes(s).includes('vanishing-gradient'), JSON.stringify(s.findings));
    tf.dispose([x, y]);
  });

  test('dead-relu when biases push every net input negative, saturated-sigmoid with huge weights and a stalled loss', async () => {
    const dead = await train([dense(32, 'relu', { inputShape: [8], biasInitializer: tf.initializers.constant({ value: -4 }) }), dense(1, 'linear')], { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    const f = dead.snapshot.findings.find((x) => x.code === 'dead-relu');
    assert.ok(f && (f.evidence.dead as number) > 0.4);
    assert.deepEqual(f.layers, [dead.model.layers[0].name]);
    // Saturation is reported with the harm it does: here the loss stalls (SGD 1e-3 on saturated units).
    const sat = await train([dense(32, 'sigmoid', { inputShape: [8], kernelInitializer: tf.initializers.randomNormal({ stddev: 3, seed: 1 }) }), dense(1, 'linear')], { optimizer: tf.train.sgd(1e-3), epochs: 3 });
    const fs = sat.snapshot.findings.find((x) => x.code === 'saturated-sigmoid');
    assert.ok(fs, codes(sat.snapshot).join());
    assert.match(fs.message, /the loss stalled/);
    const tanh = await train([dense(32, 'tanh', { inputShape: [8], kernelInitializer: tf.initializers.randomNormal({ stddev: 3, seed: 1 }) }), dense(1, 'linear')], { optimizer: tf.train.sgd(1e-3), epochs: 3 });
    assert.ok(codes(tanh.snapshot).includes('saturated-tanh'), codes(tanh.snapshot).join());
    const ok = await train([dense(32, 'sigmoid', { inputShape: [8] }), dense(1, 'linear')], { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    assert.deepEqual(codes(ok.snapshot).filter((c) => c === 'saturated-sigmoid' || c === 'dead-relu'), []);
    const okTanh = await train([dense(32, 'tanh', { inputShape: [8] }), dense(1, 'linear')], { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    assert.deepEqual(codes(okTanh.snapshot).filter((c) => c.startsWith('saturated')), [], 'Glorot init: net inputs of std ~0.6 rarely reach |tanh| > 0.99');
  });

  test('selu-not-normalizing with He init, not with LeCun normal init', async () => {
    const stack = (init: string) => [dense(64, 'selu', { inputShape: [8], kernelInitializer: init }), ...Array.from({ length: 8 }, () => dense(64, 'selu', { kernelInitializer: init })), dense(1, 'linear')];
    const he = await train(stack('heNormal'), { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    assert.ok(codes(he.snapshot).includes('selu-not-normalizing'));
    const lecun = await train(stack('leCunNormal'), { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    assert.ok(!codes(lecun.snapshot).includes('selu-not-normalizing'));
    // What the quick fix writes: gs.layers.leCunNormal() (untruncated variance 1/fan_in).
    const fixed = await train(stack(gsLeCun() as never), { optimizer: tf.train.sgd(1e-3), epochs: 1 });
    assert.ok(!codes(fixed.snapshot).includes('selu-not-normalizing'));
    const std = fixed.snapshot.layers.slice(0, 9).map((l) => l.latestSaturation!.std!);
    assert.ok(std.every((v) => v > 0.7 && v < 1.3), `SELU output std per layer ${std.map((v) => v.toFixed(2)).join(' ')}`);
  });

  test('lr-too-high with Adam at 3, lr-too-low with SGD at 1e-6, neither with Adam at 1e-2', async () => {
    const mlp = () => [dense(16, 'relu', { inputShape: [8] }), dense(1, 'linear')];
    const high = await train(mlp(), { optimizer: tf.train.adam(3), epochs: 3, terminateOnNaN: false });
    assert.ok(codes(high.snapshot).includes('lr-too-high'), codes(high.snapshot).join());
    const low = await train(mlp(), { optimizer: tf.train.sgd(1e-6), epochs: 3 });
    assert.ok(codes(low.snapshot).includes('lr-too-low'));
    const ok = await train(mlp(), { optimizer: tf.train.adam(1e-2), epochs: 3 });
    assert.deepEqual(codes(ok.snapshot).filter((c) => c.startsWith('lr-')), []);
  });

  test('nan-loss (and exploding gradients) when SGD diverges; the final snapshot says failed', async () => {
    const r = await train([dense(16, 'relu', { inputShape: [8] }), dense(1, 'linear')], { optimizer: tf.train.sgd(1), epochs: 3 });
    assert.ok(r.error, 'gs.fit stops on a non-finite loss');
    assert.equal(r.snapshot.status, 'failed');
    assert.equal(r.snapshot.findings[0].code, 'nan-loss');
    assert.deepEqual(r.snapshot.findings[0].fixes.slice(0, 1), ['lr-divide-10']);
    assert.ok(codes(r.snapshot).includes('exploding-gradient'), codes(r.snapshot).join(', '));
  });

  /** The same 128-128 ReLU network every time (seeded), so the overfitting tests are deterministic. */
  const mlp128 = (seed: number) => {
    const init = () => tf.initializers.glorotUniform({ seed: seed++ });
    return [dense(128, 'relu', { inputShape: [8], kernelInitializer: init() }), dense(128, 'relu', { kernelInitializer: init() }), dense(1, 'linear', { kernelInitializer: init() })];
  };

  test('overfitting on 24 samples with validation data of the same task; plateau on a linear model at its noise floor', async () => {
    const val = regression(256, 11, 2);
    // Unshuffled and seeded: validation loss is best at epoch 9 (0.66) and 0.82 at epoch 30 (9 of 10 seeds fire, scratch run).
    const over = await train(mlp128(200), { optimizer: tf.train.adam(1e-2), epochs: 30, data: regression(24, 2, 2), validationData: [val.x, val.y], shuffle: false });
    const f = over.snapshot.findings.find((x) => x.code === 'overfitting');
    assert.ok(f, codes(over.snapshot).join());
    assert.deepEqual(f.fixes, ['add-early-stopping', 'add-dropout']);
    const flat = await train([dense(1, 'linear', { inputShape: [8] })], { optimizer: tf.train.adam(5e-2), epochs: 25 });
    assert.ok(codes(flat.snapshot).includes('plateau'));
    assert.ok(!codes(flat.snapshot).includes('overfitting'));
  });

  test('neither overfitting nor plateau while the same network, given 1024 samples, learns and generalizes', async () => {
    const val = regression(256, 11, 2);
    const ok = await train(mlp128(200), {
      optimizer: tf.train.adam(1e-3), epochs: 12, data: regression(1024, 2, 2), validationData: [val.x, val.y], shuffle: false, monitor: { sampleEvery: 8 },
    });
    assert.deepEqual(codes(ok.snapshot), []);
    const v = ok.snapshot.training.epochValLoss!.value as number[];
    assert.ok(v[v.length - 1] < 0.4 * v[0], `validation loss fell: ${v.join(' ')}`);
    const still = await train([dense(1, 'linear', { inputShape: [8], kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })], { optimizer: tf.train.sgd(3e-3), epochs: 12, shuffle: false });
    assert.ok(!codes(still.snapshot).includes('plateau'), 'still improving ~10 % an epoch');
  });

  test('per-epoch loss, validation loss and metrics are the history\'s; per-step metrics are the batches\'', async () => {
    const x = tf.randomNormal([160, 8], 0, 1, 'float32', 21);
    const y = tf.oneHot(tf.argMax(x.slice([0, 0], [-1, 3]), 1), 3).toFloat();
    const model = tf.sequential({ layers: [dense(16, 'relu', { inputShape: [8] }), dense(3, 'softmax')] });
    const monitor = healthMonitor({ sampleEvery: 4 });
    const h = await fit(model, x, y, {
      optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy', metrics: ['accuracy'],
      epochs: 3, batchSize: 32, validationSplit: 0.2, observers: [monitor],
    });
    const t = monitor.snapshot().training;
    // Snapshots carry 5 significant digits.
    const near = (got: (number | null)[], want: number[], what: string) =>
      want.forEach((w, i) => assert.ok(Math.abs((got[i] as number) - w) <= 1e-4 * Math.abs(w) + 1e-9, `${what}[${i}]: ${got[i]} vs ${w}`));
    for (const s of [t.epochLoss, t.epochValLoss!, t.epochMetrics!.acc, t.epochMetrics!.val_acc]) assert.deepEqual(s.step, [1, 2, 3]);
    near(t.epochLoss.value, h.history.loss as number[], 'loss');
    near(t.epochValLoss!.value, h.history.val_loss as number[], 'val_loss');
    near(t.epochMetrics!.acc.value, h.history.acc as number[], 'acc');
    near(t.epochMetrics!.val_acc.value, h.history.val_acc as number[], 'val_acc');
    assert.deepEqual(t.metrics.acc.step, Array.from({ length: 12 }, (_, i) => i), 'batch accuracy at every step (128 training samples, batch 32)');
    assert.ok(t.metrics.acc.value.every((v) => v !== null && v >= 0 && v <= 1));
    assert.equal(t.metrics.val_acc, undefined, 'validation metrics are per epoch only');
    tf.dispose([x, y]);
  });

  test('the frozen-layer map follows a layer frozen mid-run, with an event on the charts', async () => {
    const model = tf.sequential({ layers: [dense(16, 'relu', { inputShape: [8] }), dense(8, 'relu'), dense(1, 'linear')] });
    const { x, y } = regression(64, 7);
    const seen: HealthSnapshot[] = [];
    await fit(model, x, y, {
      optimizer: tf.train.sgd(1e-2), loss: 'meanSquaredError', epochs: 3, batchSize: 32,
      observers: [healthMonitor({ sampleEvery: 1, publishIntervalMs: 0, onSnapshot: (s) => seen.push(s) })],
      callbacks: { onEpochEnd: async (epoch: number) => { if (epoch === 0) model.layers[0].trainable = false; } },
    });
    const first = seen[0].model;
    const last = seen.at(-1)!.model;
    assert.equal(first.layers[0].trainable, true);
    assert.equal(first.trainableParams, 8 * 16 + 16 + 16 * 8 + 8 + 9);
    assert.equal(last.layers[0].trainable, false);
    assert.deepEqual(last.layers[0].params, { trainable: 0, nonTrainable: 8 * 16 + 16 });
    assert.equal(last.trainableParams, 16 * 8 + 8 + 9);
    assert.equal(last.totalParams, first.totalParams);
    const events = seen.at(-1)!.training.events.filter((e) => e.kind === 'frozen-changed');
    assert.equal(events.length, 1, 'one change, one event');
    assert.equal(events[0].epoch, 0);
    assert.equal(events[0].detail, `${16 * 8 + 8 + 9} of ${first.totalParams} parameters trainable`);
    // The snapshots published during epoch 1 (steps 2 and 3) already show the new map.
    const during = seen.find((s) => s.status === 'training' && s.progress.step === 3);
    assert.equal(during?.model.layers[0].trainable, false);
    tf.dispose([x, y]);
  });

  test('frozen-all when no layer is trainable', async () => {
    const layers = [dense(4, 'relu', { inputShape: [8], trainable: false }), dense(1, 'linear', { trainable: false })];
    const r = await train(layers, { optimizer: tf.train.sgd(1e-2), epochs: 1 });
    assert.equal(r.snapshot.findings[0].code, 'frozen-all');
    assert.equal(r.snapshot.model.trainableParams, 0);
    assert.equal(r.snapshot.model.layers[0].trainable, false);
  });

  test('no tensor leak: the same tensor count after epoch 2 and after epoch 20, probing every step', async () => {
    const counts: number[] = [];
    const model = tf.sequential({ layers: [dense(16, 'relu', { inputShape: [8] }), tf.layers.batchNormalization(), dense(16, 'selu'), dense(1, 'linear')] });
    const { x, y } = regression(64, 3);
    await fit(model, x, y, {
      optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError', epochs: 20, batchSize: 32,
      observers: [healthMonitor({ sampleEvery: 1 })],
      callbacks: { onEpochEnd: async () => { counts.push(tf.memory().numTensors); } },
    });
    assert.equal(counts.length, 20);
    assert.equal(counts[19], counts[1]);
  });

  test('with diagnostics on, each layer\'s gradient norm is the training step\'s own and adds up to the global norm', async () => {
    let seed = 1;
    const k = () => tf.initializers.glorotNormal({ seed: seed++ });
    const model = tf.sequential({ layers: [dense(8, 'relu', { inputShape: [8], kernelInitializer: k() }), dense(4, 'tanh', { kernelInitializer: k() }), dense(1, 'linear', { kernelInitializer: k() })] });
    model.compile({ optimizer: tf.train.sgd(1e-2), loss: 'meanSquaredError' });
    const { x, y } = regression(32, 5);
    // Step 0 trains on the whole unshuffled batch at the initial weights: its gradients, per layer.
    const want = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar);
      return model.layers.map((l) => Math.sqrt(l.trainableWeights.reduce((s, w) => s + tf.sum(tf.square(grads[w.name])).dataSync()[0], 0)));
    });
    let last: HealthSnapshot | undefined;
    const counts: number[] = [];
    const h = await fit(model, x, y, {
      epochs: 12, batchSize: 32, shuffle: false, diagnostics: { sampleEvery: 1, onSnapshot: (s) => (last = s) },
      callbacks: { onEpochEnd: async () => { counts.push(tf.memory().numTensors); } },
    });
    // Snapshots carry 5 significant digits.
    const layers = last!.layers;
    layers.forEach((l, i) => {
      assert.equal(l.gradNorm.step[0], 0);
      assert.ok(Math.abs((l.gradNorm.value[0] as number) - want[i]) < 1e-4 * want[i], `${l.layer}: ${l.gradNorm.value[0]} vs ${want[i]}`);
      assert.ok(l.sensitivityRms.value.every((v) => v !== null && v > 0));
    });
    // The global norm of every step is the l2 norm of the layers' norms of that step.
    layers[0].gradNorm.step.forEach((step, j) => {
      const global = Math.hypot(...layers.map((l) => l.gradNorm.value[j] as number));
      assert.ok(Math.abs(global - h.gradNormPreClip![step]) < 1e-4 * global, `step ${step}`);
    });
    assert.equal(counts[11], counts[1], 'no tensor leak with the gradients measured in the step');
    tf.dispose([x, y]);
  });

  test('a monitor passed among the observers (the documented example) gets the per-step gradient norms too', async () => {
    const { snapshot: s } = await train([dense(8, 'relu', { inputShape: [8] }), dense(1, 'linear')], { optimizer: tf.train.adam(1e-2), epochs: 2 });
    assert.equal(s.training.gradNormPreClip?.step.length, 16);
    assert.ok(s.training.gradNormPreClip!.value.every((v) => v !== null && v > 0));
    assert.deepEqual(s.training.gradNormPostClip!.value, s.training.gradNormPreClip!.value, 'no clipping: post = pre');
  });

  test('outside a kernel the snapshots go to a JSON file and to onSnapshot, the last one final', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gs-diag-')), 'health.json');
    const seen: HealthSnapshot[] = [];
    await train([dense(8, 'relu', { inputShape: [8] }), dense(1, 'linear')], { optimizer: tf.train.adam(1e-2), epochs: 2, monitor: { file, onSnapshot: (s) => seen.push(s) } });
    const saved = JSON.parse(readFileSync(file, 'utf8')) as HealthSnapshot;
    assert.equal(saved.status, 'finished');
    assert.equal(saved.progress.step, 16, 'a finished run has done all its batches');
    assert.equal(saved.progress.step, saved.progress.totalSteps);
    assert.equal(seen.at(-1)?.status, 'finished');
    assert.equal(seen.filter((s) => s.status !== 'training').length, 1);
    assert.equal(new Set(seen.map((s) => s.runId)).size, 1);
  });

  test('adaptive sampling takes its 32 spread probes and more within its share of training time, and the snapshot says what it cost', async () => {
    const layers = () => [dense(32, 'relu', { inputShape: [8] }), dense(32, 'relu'), dense(1, 'linear')];
    // The first probe of a process compiles its code paths, which the forced first probe would pay.
    await train(layers(), { optimizer: tf.train.adam(1e-2), epochs: 1, monitor: { sampleEvery: 1 } });
    const { snapshot: s } = await train(layers(), { optimizer: tf.train.adam(1e-2), epochs: 25, monitor: { sampleEvery: 0, maxOverhead: 0.2 } });
    const probes = s.layers[0].sensitivityRms.step;
    assert.ok(probes.length >= 32 && probes.length < 200, `${probes.length} probes in 200 steps`);
    assert.equal(probes[0], 0);
    assert.equal(probes.at(-1), 199);
    assert.ok(probes.slice(1).every((p, i) => p - probes[i] <= 7), `spread: ${probes.join(' ')}`);
    const { monitorMs, trainMs, meterMs, probes: count } = s.cost!;
    assert.equal(count, probes.length);
    assert.ok(trainMs > 0 && monitorMs > 0 && meterMs! > 0, JSON.stringify(s.cost));
    // The budgeted part (probes and snapshots, not the per-step metering) keeps near its share: the
    // 32 planned probes cost what they cost, one probe slowed by other load may overshoot a little.
    const budgeted = monitorMs - meterMs!;
    assert.ok(budgeted <= 0.3 * trainMs && budgeted >= 0.1 * trainMs, `monitor ${budgeted} ms of ${trainMs} ms`);
    assert.ok(Math.abs(s.sampleEvery - 200 / probes.length) <= 1, `sampleEvery ${s.sampleEvery}`);
  });

  test('the budget and the publishing cadence run on the given clock', async () => {
    const layers = () => [dense(8, 'relu', { inputShape: [8] }), dense(1, 'linear')];
    // A clock that never advances: no training time to spend a share of, and never 400 ms since a publish.
    const seen: HealthSnapshot[] = [];
    const { snapshot: s } = await train(layers(), { optimizer: tf.train.adam(1e-2), epochs: 3, monitor: { sampleEvery: 0, clock: () => 0, onSnapshot: (x) => seen.push(x) } });
    assert.deepEqual(s.layers[0].sensitivityRms.step, [...Array(24).keys()], 'a run under 64 steps: every step, whatever the budget says');
    assert.equal(s.cost?.trainMs, 0, 'no training time on this clock (gs.fit times its own gradient metering)');
    assert.deepEqual(seen.map((x) => x.status), ['training', 'finished'], 'the first snapshot at once, then only the final one');
    // A clock 1000 ms on at every reading: every step is due for a publish.
    let t = 0;
    const fast: HealthSnapshot[] = [];
    await train(layers(), { optimizer: tf.train.adam(1e-2), epochs: 1, monitor: { clock: () => (t += 1000), onSnapshot: (x) => fast.push(x) } });
    assert.equal(fast.length, 8 + 1, 'each of the 8 steps, and the final one');
  });

  test('bad arguments get clear messages', () => {
    assert.throws(() => healthMonitor({ sampleEvery: -1 }), /sampleEvery must be a whole number/);
    assert.throws(() => healthMonitor({ probeSize: 0 }), /probeSize/);
    assert.throws(() => healthMonitor().snapshot(), /no training run/);
  });
});
