/**
 * gs.compare's payload and the option diff: which options count as different, the sensitivity
 * profile (median over the probes per layer), the labels, the refusals, and what a notebook stores
 * for the comparison (its JSON with SVG and text fallbacks) through the kernel's display path.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as gs from '../../../src/library';
import { COMPARE_MIME, compareRunOf, diffOptions, median, sensitivityProfile, type CompareRun } from '../../../src/protocol/runs';
import type { HealthSnapshot, RunOptions } from '../../../src/protocol/health';
import { toMimeBundle } from '../../../src/kernel/format';
import { Run } from '../../../src/diagnostics/runs/registry';

const base: RunOptions = {
  shape: '16 → 32 ×10 → 1', weightedLayers: 11, params: '10 145', activations: 'sigmoid ×11', initializers: 'glorotNormal ×11',
  optimizer: 'sgd', learningRate: 0.1, schedule: 'constant', clipnorm: null, globalClipnorm: null, clipvalue: null,
  batchSize: 64, epochs: 6, batchNorm: false, dropout: 'none', loss: 'binaryCrossentropy',
};
const entry = (options: RunOptions | undefined, lr = { first: 0.1, last: 0.1 }): Pick<CompareRun, 'options' | 'lr'> => ({ options, lr });

describe('the option diff', () => {
  test('lists only the options that differ, in a fixed order, with each run\'s value', () => {
    const relu = { ...base, activations: 'relu ×10, sigmoid', initializers: 'heNormal ×10, glorotNormal' };
    const rows = diffOptions([entry(base), entry(relu)]);
    assert.deepEqual(rows.map((r) => r.key), ['activations', 'initializers']);
    assert.deepEqual(rows[0].values, ['sigmoid ×11', 'relu ×10, sigmoid']);
  });

  test('identical runs have no rows; clipping, batch norm and a missing batch size read as words', () => {
    assert.deepEqual(diffOptions([entry(base), entry({ ...base })]), []);
    const rows = diffOptions([entry(base), entry({ ...base, clipvalue: 0.5, batchNorm: true, batchSize: null })]);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r.values]));
    assert.deepEqual(byKey.clipvalue, ['none', '0.5']);
    assert.deepEqual(byKey.batchNorm, ['no', 'yes']);
    assert.deepEqual(byKey.batchSize, ['64', 'from the dataset']);
  });

  test('schedules of the same kind differ by the rates they went through; a run without options shows unknown', () => {
    const rows = diffOptions([entry({ ...base, schedule: 'exponential' }, { first: 0.1, last: 0.001 }), entry({ ...base, schedule: 'exponential' }, { first: 0.1, last: 0.01 })]);
    assert.deepEqual(rows.map((r) => r.values), [['exponential (0.1 → 0.001)', 'exponential (0.1 → 0.01)']]);
    const old = diffOptions([entry(base), entry(undefined)]);
    assert.ok(old.length > 0 && old.every((r) => r.values[1] === 'unknown'));
  });
});

describe('the comparison entry of a run', () => {
  test('the profile is the median over the probes of each layer\'s RMS sensitivity, ignoring non-finite probes', () => {
    assert.equal(median([3, null, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([null]), null);
    const snap = {
      layers: [
        { layer: 'd1', sensitivityRms: { step: [0, 1, 2], value: [1e-6, 2e-6, 100] } },
        { layer: 'd2', sensitivityRms: { step: [0, 1, 2], value: [null, null, null] } },
      ],
    } as unknown as HealthSnapshot;
    assert.deepEqual(sensitivityProfile(snap), [{ layer: 'd1', median: 2e-6 }, { layer: 'd2', median: null }]);
  });
});

describe('gs.compare on real runs', () => {
  let a: gs.RunHistory, b: gs.RunHistory;
  before(async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([128, 6], 0, 1, 'float32', 7);
    const y = tf.matMul(x, tf.randomNormal([6, 1], 0, 1, 'float32', 8));
    const train = (activation: 'sigmoid' | 'relu') => gs.fit(
      tf.sequential({ layers: [tf.layers.dense({ units: 8, activation, inputShape: [6] }), tf.layers.dense({ units: 8, activation }), tf.layers.dense({ units: 1 })] }),
      x, y, { optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', epochs: 2, batchSize: 32, validationSplit: 0.25, diagnostics: {} },
    );
    a = await train('sigmoid');
    b = await train('relu');
  });

  test('object keys label the runs; curves, profiles and findings come from each run\'s final snapshot', () => {
    const c = gs.compare({ sigmoid: a, relu: b });
    assert.deepEqual(c.payload.runs.map((r) => r.label), ['sigmoid', 'relu']);
    for (const [i, h] of [a, b].entries()) {
      const r = c.payload.runs[i];
      assert.equal(r.runId, h.run!.id);
      assert.deepEqual(r.loss, h.run!.snapshot.training.loss);
      assert.equal(r.epochValLoss?.value.length, 2, 'two epochs of validation loss');
      assert.deepEqual(r.profile.map((p) => p.layer), h.run!.snapshot.layers.map((l) => l.layer));
      assert.ok(r.profile.every((p) => p.median !== null && p.median > 0));
    }
    assert.deepEqual(c.optionDiff.map((r) => r.key), ['activations']);
    assert.deepEqual(c.optionDiff[0].values, ['sigmoid ×2, linear', 'relu ×2, linear']);
  });

  test('histories, handles and arrays mix; default labels are the runs\' own', () => {
    a.run!.label = 'first';
    const c = gs.compare(a, [b.run!]);
    assert.deepEqual(c.payload.runs.map((r) => r.label), ['first', b.run!.label]);
  });

  test('refuses nothing to compare, too many runs, and a value that is not a run, saying what to pass', () => {
    assert.throws(() => gs.compare(), /no runs given/);
    assert.throws(() => gs.compare(Array.from({ length: 9 }, () => a)), /at most 8/);
    assert.throws(() => gs.compare(42 as never), /argument 1 is not a run/);
    assert.throws(() => gs.compare({ x: 'nope' } as never), /argument 1\.x is not a run/);
  });

  test('shown in a notebook, a comparison is its JSON with SVG and text fallbacks; so is gs.runs()', () => {
    const c = gs.compare({ sigmoid: a, relu: b });
    const bundle = toMimeBundle(c);
    assert.deepEqual(Object.keys(bundle).sort(), [COMPARE_MIME, 'image/svg+xml', 'text/plain'].sort());
    assert.deepEqual(bundle[COMPARE_MIME], c.payload);
    const svg = bundle['image/svg+xml'] as string;
    assert.match(svg, /^<svg/);
    assert.equal((svg.match(/<polyline/g) ?? []).length, 4, 'a loss line and a profile line per run');
    assert.match(svg, />sigmoid</);
    const text = bundle['text/plain'] as string;
    assert.match(text, /\[1\] sigmoid \(finished\)/);
    assert.match(text, /activations: \[1\] sigmoid ×2, linear · \[2\] relu ×2, linear/);
    const list = toMimeBundle(gs.runs().slice(-2));
    assert.deepEqual((list[COMPARE_MIME] as { runs: { runId: string }[] }).runs.map((r) => r.runId), [a.run!.id, b.run!.id]);
  });

  test('compareRunOf keeps a failed run\'s error', () => {
    const snap = { ...a.run!.snapshot, status: 'failed', error: 'loss NaN' } as HealthSnapshot;
    const r = compareRunOf(snap, 'x');
    assert.equal(r.error, 'loss NaN');
    assert.ok(new Run(1, snap).toString().startsWith('run 1 (failed)'));
  });
});
