/**
 * Bounded series and snapshot size: min/max envelopes keep spikes, NaN/Infinity become null, and one
 * serialized snapshot of a 100 000-step run of a 50-layer model stays under HEALTH_MAX_BYTES, and a
 * 300-layer model's loss curve keeps its detail.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { HEALTH_MAX_BYTES } from '../../../src/protocol/health';
import { SeriesBuffer, encodeNumber } from '../../../src/diagnostics/series';
import { LayerRecorder } from '../../../src/diagnostics/layerRecorder';
import { buildSnapshot, type RunState } from '../../../src/diagnostics/snapshot';
import { summarizeModel } from '../../../src/engine/modelSummary';

describe('SeriesBuffer', () => {
  test('keeps every point while under capacity, without envelope', () => {
    const b = new SeriesBuffer(8);
    for (let i = 0; i < 8; i++) b.push(i, i * 0.5);
    assert.deepEqual(b.toSeries(), { step: [0, 1, 2, 3, 4, 5, 6, 7], value: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5] });
  });

  test('downsampling to m points gives m points, however the buckets divide', () => {
    const b = new SeriesBuffer(512);
    for (let i = 0; i < 391; i++) b.push(i, i);
    for (const m of [387, 200, 130, 7, 1]) {
      const s = b.toSeries(m);
      assert.equal(s.step.length, m, `${m} points`);
      assert.equal(s.step[0], 0);
      assert.ok(s.step.every((x, i) => i === 0 || x > s.step[i - 1]), 'steps increase');
      assert.equal(s.max!.at(-1), 390, 'the last bucket is in the last point');
    }
  });

  test('downsampling keeps a one-step spike in the max envelope and the bucket mean in value', () => {
    const b = new SeriesBuffer(16);
    for (let i = 0; i < 1000; i++) b.push(i, i === 637 ? 1000 : 1);
    const s = b.toSeries(10);
    assert.ok(s.step.length <= 10);
    assert.equal(Math.max(...(s.max as number[])), 1000);
    assert.equal(Math.min(...(s.min as number[])), 1);
    const k = (s.max as number[]).indexOf(1000);
    const width = (s.step[k + 1] ?? 1000) - s.step[k];
    assert.ok(s.step[k] <= 637 && 637 < s.step[k] + width);
    assert.ok(Math.abs((s.value[k] as number) - (width - 1 + 1000) / width) < 1e-3 * (s.value[k] as number));
  });

  test('NaN and Infinity become null and mark their bucket', () => {
    const b = new SeriesBuffer(4);
    b.push(0, 1); b.push(1, NaN); b.push(2, Infinity); b.push(3, 2);
    assert.deepEqual(b.toSeries().value, [1, null, null, 2]);
    for (let i = 4; i < 16; i++) b.push(i, 3);
    const s = b.toSeries();
    assert.equal(s.value[0], null, 'the bucket holding step 1 is null after merging');
    assert.equal(s.max![0], 2, 'its envelope is over the finite values');
    assert.equal(JSON.stringify(s).includes('NaN'), false);
  });

  test('memory stays bounded: capacity buckets however many points', () => {
    const b = new SeriesBuffer(64);
    for (let i = 0; i < 100_000; i++) b.push(i, Math.sin(i));
    assert.equal(b.length, 100_000);
    assert.ok(b.toSeries().step.length <= 64);
  });

  test('encodeNumber keeps 5 significant digits', () => {
    assert.equal(encodeNumber(0.000123456789), 0.00012346);
    assert.equal(encodeNumber(-Infinity), null);
  });
});

describe('snapshot size', () => {
  before(async () => { await tf.setBackend('cpu'); });

  /**
   * A run of `steps` steps of a `depth`-layer model probed every step, with a NaN step and 500 events;
   * `checkpoints` are steps after which `onCheckpoint` sees the state (as a live run's snapshots would).
   */
  function bigRun(depth: number, steps: number, checkpoints: number[] = [], onCheckpoint?: (s: RunState) => void): { state: RunState; model: tf.LayersModel } {
    const layers: tf.layers.Layer[] = [tf.layers.dense({ inputShape: [4], units: 4, activation: 'relu' })];
    for (let i = 1; i < depth; i++) layers.push(tf.layers.dense({ units: 4, activation: i % 2 ? 'relu' : 'selu' }));
    const model = tf.sequential({ layers });
    const recs = model.layers.map((l) => new LayerRecorder(l));
    const perEpoch = steps / 100;
    const state: RunState = {
      runId: 'r', status: 'training', backend: 'cpu', startTime: 0, epoch: 0, epochs: 100, step: 0, stepsDone: 0,
      stepsPerEpoch: perEpoch, totalSteps: steps, model: summarizeModel(model),
      lr: new SeriesBuffer(), loss: new SeriesBuffer(), epochLoss: new SeriesBuffer(), epochValLoss: new SeriesBuffer(),
      metrics: new Map([['acc', new SeriesBuffer()]]), epochMetrics: new Map([['acc', new SeriesBuffer()], ['val_acc', new SeriesBuffer()]]),
      gradNormPreClip: new SeriesBuffer(), gradNormPostClip: new SeriesBuffer(),
      scheduleKind: 'constant', events: [], layers: recs, sampleEvery: 1, thresholds: {},
    };
    const probes = recs.map((r, i) => ({
      layer: r.layer.name, index: i, sensitivityRms: 0, sensitivityMax: 1e-2, gradNorm: 0.1, netInputSize: 64,
      saturation: i % 2 ? { kind: 'relu' as const, zero: 0.5, dead: 0.01, mean: 0.3, std: 0.6 } : { kind: 'selu' as const, negative: 0.4, mean: 0.01, std: 0.98 },
    }));
    for (let step = 0; step < steps; step++) {
      const loss = step === Math.floor(steps * 0.7777) ? NaN : 2 / (1 + step / 1000) + 0.1 * Math.sin(step);
      state.loss.push(step, loss); state.lr.push(step, 1e-3); state.metrics.get('acc')!.push(step, 0.5);
      state.gradNormPreClip!.push(step, 1 + Math.random()); state.gradNormPostClip!.push(step, 1);
      for (let i = 0; i < recs.length; i++) {
        probes[i].sensitivityRms = 1e-3 * (1 + Math.sin(step + i));
        recs[i].record(step, probes[i]);
        recs[i].recordUpdateRatio(step, 1e-3);
      }
      if (step % perEpoch === perEpoch - 1) {
        const epoch = (step + 1) / perEpoch;
        state.epochLoss.push(epoch, loss); state.epochValLoss!.push(epoch, loss);
        state.epochMetrics.get('acc')!.push(epoch, 0.5); state.epochMetrics.get('val_acc')!.push(epoch, 0.5);
      }
      state.step = step; state.stepsDone = step + 1;
      if (checkpoints.includes(step)) onCheckpoint?.(state);
    }
    state.events.push(...Array.from({ length: 500 }, (_, i) => ({ step: i, epoch: 0, kind: 'lr-reduced' as const, detail: 'x'.repeat(40) })));
    return { state, model };
  }

  test('100 000 steps × 50 layers sampled every step stays under 256 KB with envelopes', () => {
    const { state, model } = bigRun(50, 100_000);
    const { snapshot, json } = buildSnapshot(state);
    assert.ok(Buffer.byteLength(json) <= HEALTH_MAX_BYTES, `${Buffer.byteLength(json)} bytes`);
    assert.equal(snapshot.layers.length, 50);
    assert.ok(snapshot.training.loss.step.length >= 300, `a detailed loss curve: ${snapshot.training.loss.step.length} points, ${Buffer.byteLength(json)} bytes`);
    assert.ok(snapshot.layers[0].sensitivityRms.step.length >= 10, `usable layer curves: ${snapshot.layers[0].sensitivityRms.step.length} points`);
    assert.ok(snapshot.training.loss.min && snapshot.layers[0].sensitivityRms.max, 'envelopes present');
    assert.ok(snapshot.training.loss.value.includes(null), 'the NaN step shows as a gap');
    assert.ok(snapshot.findings.some((f) => f.code === 'nan-loss'));
    assert.deepEqual(snapshot.training.epochMetrics!.val_acc.step, Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(JSON.parse(json).version, 1);
    model.dispose();
  });

  test('a 120-layer model (ResNet-50 has 107 with weights) keeps detailed loss and layer curves', () => {
    const { state, model } = bigRun(120, 20_000);
    const { snapshot, json } = buildSnapshot(state);
    assert.ok(Buffer.byteLength(json) <= HEALTH_MAX_BYTES, `${Buffer.byteLength(json)} bytes`);
    assert.ok(snapshot.training.loss.step.length >= 250, `loss: ${snapshot.training.loss.step.length} points`);
    for (const l of snapshot.layers) assert.ok(l.sensitivityRms.step.length >= 4, `${l.layer}: ${l.sensitivityRms.step.length} points`);
    model.dispose();
  });

  test('rules judge update ratios before downsampling: a stuck layer with one large last step still reads stuck at 1 point per series', () => {
    const { state, model } = bigRun(20, 500);
    const stuck = state.layers[3];
    for (let i = 0; i < 50; i++) stuck.recordUpdateRatio(500 + i, i === 49 ? 4e-3 : 3e-6);
    const { snapshot } = buildSnapshot(state, 30_000);
    assert.equal(snapshot.layers[3].updateRatio.step.length, 1, 'downsampled to the mean of one bucket');
    assert.equal(snapshot.layers[3].updateRatioMedian, 3e-6);
    const f = snapshot.findings.find((x) => x.code === 'vanishing-gradient' && x.layers.includes(stuck.layer.name));
    assert.ok(f, snapshot.findings.map((x) => x.code).join());
    model.dispose();
  });

  test('snapshots of a live run keep their resolution: budgets grown while the series were short are re-split when outgrown', () => {
    // Seven metrics make the run's own series many; the early snapshots grow both budgets to the maximum.
    const { state, model } = bigRun(10, 60_000, [10, 100, 1000, 5000, 20_000], (st) => {
      for (const k of ['mae', 'mse', 'auc', 'precision', 'recall', 'cos']) if (!st.metrics.has(k)) st.metrics.set(k, new SeriesBuffer());
      for (const b of st.metrics.values()) for (let i = b.length; i <= st.step; i++) b.push(i, Math.random());
      buildSnapshot(st);
    });
    for (const b of state.metrics.values()) for (let i = b.length; i < 60_000; i++) b.push(i, Math.random());
    const live = buildSnapshot(state);
    state.pointsHint = undefined;
    const fresh = buildSnapshot(state);
    assert.ok(live.json.length <= HEALTH_MAX_BYTES);
    const points = (x: typeof live) => x.snapshot.layers[0].sensitivityRms.step.length;
    assert.ok(points(live) >= 0.9 * points(fresh), `layer points: ${points(live)} live, ${points(fresh)} built fresh`);
    model.dispose();
  });

  test('a 300-layer model keeps a detailed loss curve: the per-layer series give up points first', () => {
    const { state, model } = bigRun(300, 20_000);
    const { snapshot, json } = buildSnapshot(state);
    assert.ok(Buffer.byteLength(json) <= HEALTH_MAX_BYTES, `${Buffer.byteLength(json)} bytes`);
    assert.equal(snapshot.layers.length, 300);
    // 300 layers × 10 series do not fit in 256 KB at 2 points each; split evenly, loss had 1 point.
    assert.ok(snapshot.training.loss.step.length >= 100, `loss: ${snapshot.training.loss.step.length} points`);
    assert.ok(snapshot.training.lr.step.length >= 100, `lr: ${snapshot.training.lr.step.length} points`);
    for (const l of snapshot.layers) {
      assert.equal(l.sensitivityRms.step.length, 1, `${l.layer}: the run's mean with its envelope`);
      assert.ok(l.sensitivityRms.value[0] !== null && l.sensitivityRms.max![0]! >= 1.9e-3, `${l.layer}: envelope of 1e-3·(1 + sin)`);
    }
    // A later snapshot of the same run (the cached budgets) still fits.
    for (let step = 20_000; step < 21_000; step++) { state.loss.push(step, 1); state.step = step; }
    assert.ok(Buffer.byteLength(buildSnapshot(state).json) <= HEALTH_MAX_BYTES);
    model.dispose();
  });
});
