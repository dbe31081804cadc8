/**
 * TensorBoard export: the CRC-32C check value, and a round trip through an independent decoder
 * (test/unit/export/tbDecode.py: Debian's python3-protobuf and python3-crc32c, message classes built
 * from descriptor_pb2) of the event file gs.fit writes with `diagnostics: { tensorboard }`, compared
 * with the run's own history and health snapshot. Bad paths fail with a message naming them.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fit } from '../../../src/library';
import { healthMonitor } from '../../../src/diagnostics';
import { crc32c, maskedCrc32c } from '../../../src/diagnostics/export/crc32c';

before(async () => {
  await tf.setBackend('cpu');
});

interface Decoded { crc: number; events: { wall_time: number; step: number; file_version?: string; values?: { tag: string; simple_value?: number; histo?: { num: number; bucket: number[]; bucket_limit: number[]; min: number; max: number; sum: number; sum_squares: number } }[] }[] }
const decode = (file: string): Decoded => JSON.parse(execFileSync('/usr/bin/python3', [join(__dirname, 'tbDecode.py'), file], { encoding: 'utf8' }));
const f32 = (v: number) => Math.fround(v);

describe('CRC-32C', () => {
  test('check value of "123456789" is 0xE3069283, as the independent decoder computes', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    // Masking rotates right by 15 and adds 0xa282ead8.
    const c = 0xe3069283;
    assert.equal(maskedCrc32c(new TextEncoder().encode('123456789')), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
});

describe('TensorBoard event files from gs.fit', () => {
  test('round trip: scalars, validation, per-layer sensitivities and histograms as the run saw them', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gs-tb-')), 'logs', 'run1');
    const x = tf.randomNormal([160, 6], 0, 1, 'float32', 1);
    const y = tf.randomNormal([160, 1], 0, 1, 'float32', 2);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 12, activation: 'tanh', inputShape: [6], name: 'hidden' }), tf.layers.dense({ units: 1, name: 'out' })] });
    let snap: import('../../../src/protocol/health').HealthSnapshot | undefined;
    const h = await fit(model, x, y, {
      optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae'], epochs: 3, batchSize: 32, validationSplit: 0.2, clipnorm: 5,
      diagnostics: { tensorboard: dir, sampleEvery: 2, histogramShare: 1, onSnapshot: (s) => (snap = s) },
    });
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0], /^events\.out\.tfevents\.\d+\..+\.gradscope$/);
    const d = decode(join(dir, files[0]));
    assert.equal(d.crc, 0xe3069283, 'the decoder agrees on the check value');
    assert.equal(d.events[0].file_version, 'brain.Event:2');
    const scalars = (tag: string) => d.events.flatMap((e) => (e.values ?? []).filter((v) => v.tag === tag).map((v) => ({ step: e.step, v: v.simple_value! })));
    const loss = scalars('loss');
    assert.deepEqual(loss.map((p) => p.step), h.batchLoss.map((_, i) => i));
    assert.deepEqual(loss.map((p) => p.v), h.batchLoss.map(f32));
    assert.deepEqual(scalars('learning_rate').map((p) => p.v), h.lr.map(f32));
    assert.deepEqual(scalars('gradient_norm/before_clip').map((p) => p.v), h.gradNormPreClip!.map(f32));
    assert.equal(scalars('metrics/mae').length, h.batchLoss.length);
    assert.deepEqual(scalars('epoch/val_loss').map((p) => p.v), (h.history.val_loss as number[]).map(f32));
    assert.deepEqual(scalars('epoch/val_loss').map((p) => p.step), [3, 7, 11], 'at each epoch\'s last step');
    const sens = scalars('sensitivity_rms/hidden');
    assert.deepEqual(sens.map((p) => p.step), snap!.layers[0].sensitivityRms.step);
    sens.forEach((p, i) => assert.ok(Math.abs(p.v - snap!.layers[0].sensitivityRms.value[i]!) <= 1e-4 * Math.abs(p.v)));
    const histos = d.events.flatMap((e) => (e.values ?? []).filter((v) => v.histo).map((v) => ({ step: e.step, tag: v.tag, h: v.histo! })));
    const weights = histos.filter((x) => x.tag === 'weights/hidden');
    assert.ok(weights.length >= 2);
    for (const w of weights) {
      assert.equal(w.h.num, 6 * 12 + 12, 'every weight of the layer counted');
      assert.equal(w.h.bucket.reduce((a, b) => a + b, 0), w.h.num);
      assert.equal(w.h.bucket_limit.length, w.h.bucket.length);
      assert.ok(w.h.min <= w.h.max);
    }
    // The last sample is of the final weights: its statistics are theirs, exactly (not the bins').
    const last = weights[weights.length - 1];
    assert.equal(last.step, h.batchLoss.length - 1, 'the last step is probed');
    const values = model.getLayer('hidden').trainableWeights.flatMap((v) => Array.from(v.read().dataSync()));
    const sum = values.reduce((a, v) => a + v, 0);
    const sq = values.reduce((a, v) => a + v * v, 0);
    assert.equal(last.h.min, Math.min(...values));
    assert.equal(last.h.max, Math.max(...values));
    assert.ok(Math.abs(last.h.sum - sum) <= 1e-12 * Math.max(1, Math.abs(sum)), `sum ${last.h.sum} vs ${sum}`);
    assert.ok(Math.abs(last.h.sum_squares - sq) <= 1e-12 * sq, `sum of squares ${last.h.sum_squares} vs ${sq}`);
    assert.ok(histos.some((x) => x.tag === 'gradients/out') && histos.some((x) => x.tag === 'activations/hidden'));
  });

  test('bad paths fail with the path and the reason', async () => {
    const base = mkdtempSync(join(tmpdir(), 'gs-tb-'));
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    const x = tf.randomNormal([8, 2]);
    const y = tf.randomNormal([8, 1]);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const args = { optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError', epochs: 1 };
    await assert.rejects(fit(model, x, y, { ...args, diagnostics: { tensorboard: file } }), /`tensorboard: '.*a-file'` is a file .*pass a folder path/);
    await assert.rejects(fit(model, x, y, { ...args, diagnostics: { tensorboard: join(file, 'sub') } }), /cannot create the TensorBoard folder '.*a-file\/sub'/);
    assert.throws(() => healthMonitor({ tensorboard: '' }), /`tensorboard` must be a folder path/);
  });
});
