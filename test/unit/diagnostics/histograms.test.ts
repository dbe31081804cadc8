/**
 * Histograms over time: fixed edges with headroom, under/overflow and non-finite counts, bounded
 * frames and sampled values, and what gs.fit's monitor puts in the snapshot (checked against a
 * histogram of the model's own final weights and the layer's gradient count).
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { fit } from '../../../src/library';
import { healthMonitor } from '../../../src/diagnostics';
import { BINS, HEADROOM, HistogramBuffer, MAX_FRAMES, SAMPLE_VALUES, histogramDue, positions } from '../../../src/diagnostics/histograms';
import { HEALTH_MAX_BYTES, type Histogram } from '../../../src/protocol/health';

before(async () => {
  await tf.setBackend('cpu');
});

const total = (h: Histogram, i: number) => h.counts[i].reduce((a, b) => a + b, 0) + h.under[i] + h.over[i] + h.nonFinite[i];

describe('HistogramBuffer', () => {
  test('edges are fixed at the first sample, widened by the headroom; later values outside count as under/overflow', () => {
    const b = new HistogramBuffer();
    b.add(0, [['w', tf.tensor1d([0, 1, 2, 3, 4])]]);
    const e = b.binEdges!;
    assert.equal(e.length, BINS + 1);
    assert.ok(Math.abs(e[0] - (0 - HEADROOM * 4)) < 1e-9 && Math.abs(e[BINS] - (4 + HEADROOM * 4)) < 1e-9);
    b.add(1, [['w', tf.tensor1d([-100, 0.5, 100, NaN, Infinity, -Infinity])]]);
    assert.deepEqual(b.binEdges, e, 'edges unchanged by the second sample');
    const h = b.toHistogram(10)!;
    assert.deepEqual(h.step, [0, 1]);
    assert.equal(h.under[1], 1);
    assert.equal(h.over[1], 1);
    assert.equal(h.nonFinite[1], 3);
    assert.equal(h.counts[1].reduce((a, c) => a + c, 0), 1, '0.5 in one bin');
    const bin = Math.floor(((0.5 - e[0]) / (e[BINS] - e[0])) * BINS);
    assert.equal(h.counts[1][bin], 1);
    assert.deepEqual(b.latest!.stats, { num: 3, min: -100, max: 100, sum: 0.5, sumSquares: 20000.25 }, 'exact statistics of the finite values');
  });

  test('a large tensor is read at one position per stratum; the statistics are those of the values read', () => {
    const b = new HistogramBuffer();
    const n = 300 * 100;
    // Each value is its own position: the values read tell where they were read.
    const t = tf.range(0, n, 1, 'float32').reshape([300, 100]);
    b.add(0, [['k', t]]);
    const s = b.latest!.stats;
    assert.equal(s.num, SAMPLE_VALUES);
    const stride = n / SAMPLE_VALUES;
    assert.ok(s.min < stride && s.max >= n - stride, `${s.min}…${s.max}: first and last strata read`);
    // One value in [i·stride, (i+1)·stride) for each i: the sum lies between the strata's bounds.
    const low = (stride * SAMPLE_VALUES * (SAMPLE_VALUES - 1)) / 2;
    assert.ok(s.sum >= low && s.sum < low + n, `${s.sum}`);
    assert.ok(s.sumSquares >= s.sum * s.min && s.sumSquares <= s.sum * s.max);
  });

  test('frames stay bounded and keep every probe counted', () => {
    const b = new HistogramBuffer();
    const t = tf.randomNormal([100], 0, 1, 'float32', 3);
    for (let s = 0; s < 1000; s++) b.add(s, [['w', t]]);
    assert.ok(b.length <= MAX_FRAMES);
    const h = b.toHistogram(MAX_FRAMES)!;
    assert.equal(h.probes.reduce((a, c) => a + c, 0), 1000);
    for (let i = 0; i < h.step.length; i++) assert.equal(total(h, i), 100 * h.probes[i]);
    const fewer = b.toHistogram(5)!;
    assert.equal(fewer.step.length, 5);
    assert.equal(fewer.probes.reduce((a, c) => a + c, 0), 1000);
  });

  test('a large tensor\'s positions are ascending, distinct, one per stratum, for sizes that do not divide evenly', () => {
    for (const size of [SAMPLE_VALUES + 1, 600, 768, 1000, 1023, 1024, 1200, 30_000]) {
      const at = positions(size)!;
      assert.equal(at.length, SAMPLE_VALUES);
      for (let i = 0; i < at.length; i++) {
        assert.ok(at[i] >= Math.floor((i * size) / SAMPLE_VALUES) && at[i] < Math.floor(((i + 1) * size) / SAMPLE_VALUES), `size ${size}: position ${at[i]} in stratum ${i}`);
        if (i > 0) assert.ok(at[i] > at[i - 1], `size ${size}: ${at[i - 1]} then ${at[i]} (no value counted twice)`);
      }
    }
  });

  test('a large tensor is sampled at the same positions every probe', () => {
    const b = new HistogramBuffer();
    const t = tf.randomNormal([300, 100], 0, 1, 'float32', 4);
    b.add(0, [['k', t]]);
    b.add(1, [['k', t]]);
    const h = b.toHistogram(2)!;
    assert.equal(total(h, 0), SAMPLE_VALUES);
    assert.deepEqual(h.counts[1], h.counts[0], 'same values, same counts');
  });

  test('on a backend that keeps tensors off the host, a sample reads the same values as on the host, in one download', async () => {
    // A device stand-in: the cpu kernels under another name, so the values are not read in place.
    // Downloads are counted where a tensor's values are read back (the engine), not inside the
    // stand-in's kernels, which read their inputs as the cpu backend does.
    if (!tf.findBackendFactory('gs-device')) {
      tf.registerBackend('gs-device', () => new MathBackendCPU());
      for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'gs-device' });
    }
    let reads = 0;
    const engine = tf.engine() as unknown as { readSync(id: object): unknown };
    const readSync = engine.readSync.bind(engine);
    engine.readSync = (id) => { reads++; return readSync(id); };
    const sample = () => {
      const b = new HistogramBuffer();
      b.add(0, [['k', tf.randomNormal([40, 30], 0, 1, 'float32', 7)], ['b', tf.tensor1d([0.5, NaN, -2])], ['i', tf.range(0, 600, 1, 'int32')]]);
      return b.latest!;
    };
    const host = sample();
    await tf.setBackend('gs-device');
    try {
      reads = 0;
      const device = sample();
      assert.equal(reads, 1, 'one download for three tensors');
      assert.deepEqual(device, host);
    } finally {
      engine.readSync = readSync;
      await tf.setBackend('cpu');
    }
  });

  test('a constant first sample (a zero bias) still gets a usable range', () => {
    const b = new HistogramBuffer();
    b.add(0, [['b', tf.zeros([8])]]);
    const e = b.binEdges!;
    assert.ok(e[0] < 0 && e[BINS] > 0);
    b.add(1, [['b', tf.fill([8], 1e-7)]]);
    assert.equal(b.toHistogram(2)!.counts[1].reduce((a, c) => a + c, 0), 8, 'small moves from 0 stay in range');
  });
});

describe('which probes take histograms', () => {
  test('the first always; later ones while their time stays within the share of the rest of the monitor\'s', () => {
    assert.equal(histogramDue(0, 0, 0, 0, 0.01), true);
    // 1 ms spent of 200 ms monitor time, last sample 0.5 ms: 1.5 ≤ 0.01 × 199 = 1.99.
    assert.equal(histogramDue(1, 1, 0.5, 200, 0.01), true);
    // The same at 120 ms: 1.5 > 1.19.
    assert.equal(histogramDue(1, 1, 0.5, 120, 0.01), false);
    assert.equal(histogramDue(5, 100, 100, 1, 1), true, 'share 1: every probe');
  });

  test('at the default share a run takes fewer histogram samples than probes, and at least the first', async () => {
    const x = tf.randomNormal([256, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([256, 1], 0, 1, 'float32', 2);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: 'relu', inputShape: [8] }), tf.layers.dense({ units: 1 })] });
    const mon = healthMonitor({ sampleEvery: 1 });
    await fit(model, x, y, { optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', epochs: 4, batchSize: 32, observers: [mon] });
    const s = mon.snapshot();
    const h = s.layers[0].histograms!.weights!;
    const samples = h.probes.reduce((a, b) => a + b, 0);
    assert.ok(samples >= 1 && samples <= s.cost!.probes!, `${samples} samples of ${s.cost!.probes} probes`);
    assert.equal(h.step[0], 0, 'the first probe');
    assert.ok(s.cost!.histogramMs! <= s.cost!.monitorMs, 'the histograms\' time is part of the monitor\'s');
  });
});

describe('histograms in the health snapshot', () => {
  test('a run of two probes at the default share ends with a frame of every layer and kind', async () => {
    const x = tf.randomNormal([64, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([64, 1], 0, 1, 'float32', 2);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }), tf.layers.dense({ units: 1 })] });
    const mon = healthMonitor({ sampleEvery: 1 });
    await fit(model, x, y, { optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', epochs: 1, batchSize: 32, observers: [mon] });
    const s = mon.snapshot();
    assert.equal(s.cost!.probes, 2);
    for (const l of s.layers) {
      for (const k of ['weights', 'gradients', 'activations'] as const) {
        const h = l.histograms?.[k];
        assert.ok(h && h.step.length >= 1 && total(h, 0) > 0, `${l.layer} ${k}: a frame with values`);
      }
    }
  });

  test('each layer has weights, gradients and activations; the last weights frame is the final weights', async () => {
    const x = tf.randomNormal([256, 8], 0, 1, 'float32', 1);
    const y = tf.randomNormal([256, 1], 0, 1, 'float32', 2);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }), tf.layers.dense({ units: 1 })] });
    const mon = healthMonitor({ sampleEvery: 4, histogramShare: 1 });
    await fit(model, x, y, { optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', epochs: 2, batchSize: 32, observers: [mon] });
    const s = mon.snapshot();
    for (const [i, l] of s.layers.entries()) {
      const h = l.histograms!;
      assert.ok(h.weights && h.gradients && h.activations, `${l.layer} has all three`);
      const params = model.layers[i].trainableWeights.reduce((n, w) => n + w.read().size, 0);
      const probes = h.gradients.probes.reduce((a, c) => a + c, 0);
      assert.equal(probes, s.layers[i].sensitivityRms.step.length, 'one gradient sample per probe');
      for (let f = 0; f < h.gradients.step.length; f++) assert.equal(total(h.gradients, f), params * h.gradients.probes[f]);
      // The last probe is the last step, after its update: the model's weights now.
      const last = h.weights.step.length - 1;
      assert.equal(h.weights.probes[last], 1);
      const edges = h.weights.edges;
      const expect = new Array(BINS).fill(0);
      for (const w of model.layers[i].trainableWeights) {
        for (const v of w.read().dataSync()) {
          const b = Math.floor(((v - edges[0]) / (edges[BINS] - edges[0])) * BINS);
          if (b >= 0 && b < BINS) expect[b]++;
        }
      }
      const got = h.weights.counts[last];
      // Edges are rounded to 5 digits in the payload: a value on an edge may move by one bin.
      const diff = got.reduce((d, c, j) => d + Math.abs(c - expect[j]), 0);
      assert.ok(diff <= 2, `${l.layer}: ${got} vs ${expect}`);
      assert.equal(total(h.activations, 0), 32 * (model.layers[i].outputShape as number[]).at(-1)! * h.activations.probes[0], 'probe batch × units');
    }
  });

  test('`histograms: false` leaves them out; a non-boolean is refused', async () => {
    const x = tf.randomNormal([64, 4]);
    const y = tf.randomNormal([64, 1]);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    const mon = healthMonitor({ sampleEvery: 1, histograms: false });
    await fit(model, x, y, { optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError', epochs: 1, batchSize: 16, observers: [mon] });
    assert.equal(mon.snapshot().layers[0].histograms, undefined);
    assert.throws(() => healthMonitor({ histograms: 'yes' as never }), /histograms must be true or false/);
    assert.throws(() => healthMonitor({ histogramShare: 0 }), /histogramShare must be a number > 0/);
    assert.throws(() => healthMonitor({ histograms: false, histogramShare: 0.5 }), /histogramShare has no effect with histograms: false/);
  });

  test('a 40-layer model: the snapshot stays within its byte budget, with fewer frames per histogram', async () => {
    const x = tf.randomNormal([64, 16]);
    const y = tf.randomNormal([64, 1]);
    const layers = [tf.layers.dense({ units: 16, activation: 'tanh', inputShape: [16] })];
    for (let i = 0; i < 38; i++) layers.push(tf.layers.dense({ units: 16, activation: 'tanh' }));
    layers.push(tf.layers.dense({ units: 1 }));
    const model = tf.sequential({ layers });
    const mon = healthMonitor({ sampleEvery: 1, histogramShare: 1 });
    await fit(model, x, y, { optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError', epochs: 8, batchSize: 16, observers: [mon] });
    const s = mon.snapshot();
    assert.ok(Buffer.byteLength(JSON.stringify(s)) <= HEALTH_MAX_BYTES);
    const frames = s.layers[0].histograms!.weights!.step.length;
    assert.ok(frames >= 1 && frames < 32, `${frames} frames of 32 probes`);
    assert.ok(s.layers.every((l) => l.histograms?.weights && l.histograms.gradients));
  });
});
