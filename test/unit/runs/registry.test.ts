/**
 * The session's run list on real small trainings (cpu backend): every monitored gs.fit run is kept
 * with its final snapshot and the summary of what it was trained with; `history.run` is its entry;
 * failed runs are kept too; the list is bounded and says what it dropped.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as gs from '../../../src/library';
import { RunRegistry } from '../../../src/diagnostics/runs/registry';
import type { HealthSnapshot } from '../../../src/protocol/health';
import { compareRunOf } from '../../../src/protocol/runs';

function data(n = 128) {
  const x = tf.randomNormal([n, 6], 0, 1, 'float32', 3);
  const y = tf.matMul(x, tf.randomNormal([6, 1], 0, 1, 'float32', 4));
  return { x, y };
}

describe('gs.runs(): the runs of the session', () => {
  before(async () => { await tf.setBackend('cpu'); });

  test('a monitored gs.fit run is recorded with its options; history.run is its entry', async () => {
    const { x, y } = data();
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal', inputShape: [6] }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }),
      tf.layers.dense({ units: 1 }),
    ] });
    const before = gs.runs().length;
    const h = await gs.fit(model, x, y, {
      optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', epochs: 2, batchSize: 32, clipnorm: 1, diagnostics: {},
    });
    const list = gs.runs();
    assert.equal(list.length, Math.min(before + 1, gs.MAX_RUNS));
    assert.ok(h.run, 'history.run is set');
    assert.equal(list[list.length - 1], h.run);
    assert.equal(h.run.status, 'finished');
    assert.equal(list.get(h.run.id), h.run);
    const o = h.run.options!;
    assert.equal(o.shape, '6 → 16 ×3 → 1', 'dense 16, batch norm 16, dense 16, dense 1');
    assert.equal(o.activations, 'relu, linear, relu, linear');
    // tfjs-layers' Dense defaults to glorotNormal.
    assert.equal(o.initializers, 'heNormal, ones/zeros, heNormal, glorotNormal');
    assert.equal(o.optimizer, 'adam (β1 0.9, β2 0.999)');
    assert.equal(o.learningRate, 0.01);
    assert.equal(o.schedule, 'constant');
    assert.equal(o.clipnorm, 1);
    assert.equal(o.clipvalue, null);
    assert.equal(o.batchSize, 32);
    assert.equal(o.epochs, 2);
    assert.equal(o.batchNorm, true);
    assert.equal(o.dropout, 'none');
    assert.equal(o.loss, 'meanSquaredError');
    // The snapshot the run list keeps is the final one, with the same options.
    assert.equal(h.run.snapshot.status, 'finished');
    assert.deepEqual(h.run.snapshot.options, o);
    assert.equal(h.run.label, `run ${h.run.index}`);
  });

  test('with a schedule, the learning rate is the one of the first step (the schedule\'s), not the optimizer\'s own', async () => {
    const { x, y } = data();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, activation: 'sigmoid', inputShape: [6] }), tf.layers.dropout({ rate: 0.25 }), tf.layers.dense({ units: 1 })] });
    const schedule = gs.schedules.exponential({ initial: 0.05, steps: 10 });
    const h = await gs.fit(model, x, y, {
      optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError', epochs: 1, batchSize: 64, diagnostics: {}, schedule,
    });
    assert.equal(h.run!.options!.learningRate, 0.05);
    // Two steps (128 samples, batches of 64): the comparison's rate range is the first and the last step's.
    assert.equal(h.run!.options!.lastLearningRate, schedule.lr(1));
    assert.deepEqual(compareRunOf(h.run!.snapshot, 'x').lr, { first: 0.05, last: schedule.lr(1) });
    assert.equal(h.run!.options!.schedule, 'exponential');
    assert.equal(h.run!.options!.optimizer, 'sgd');
    assert.equal(h.run!.options!.activations, 'sigmoid, linear');
    assert.equal(h.run!.options!.dropout, '0.25');
    assert.equal(h.run!.options!.shape, '6 → 4 → 1', 'the dropout layer has no weights');
  });

  test('a run that fails (NaN loss) is recorded; its error carries the history with the run', async () => {
    const { x, y } = data();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [6] }), tf.layers.dense({ units: 1 })] });
    const err = await gs.fit(model, x.mul(1e6), y, { optimizer: tf.train.sgd(1e6), loss: 'meanSquaredError', epochs: 3, diagnostics: {} })
      .then(() => undefined, (e: unknown) => e as gs.NonFiniteLossError);
    assert.ok(err instanceof gs.NonFiniteLossError, 'the run fails on a non-finite loss');
    const run = (err.history as gs.RunHistory).run;
    assert.ok(run, 'the failed run is in the list');
    assert.equal(run.status, 'failed');
    assert.equal(gs.runs().at(-1), run);
  });

  test('a run without the monitor is not recorded and gs.compare says why', async () => {
    const { x, y } = data();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [6] })] });
    const n = gs.runs().at(-1)?.index;
    const h = await gs.fit(model, x, y, { optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError', epochs: 1, diagnostics: false });
    assert.equal(h.run, undefined);
    assert.equal(gs.runs().at(-1)?.index, n);
    assert.throws(() => gs.compare(h), /history without a run: only runs the health monitor observed/);
  });
});

describe('RunRegistry bounds', () => {
  const snap = (id: string) => ({ runId: id, status: 'finished', findings: [] }) as unknown as HealthSnapshot;

  test('keeps the last `max` runs, counts what it dropped, and a dropped run\'s handle still works', () => {
    const reg = new RunRegistry(3);
    const handles = ['a', 'b', 'c', 'd', 'e'].map((id) => reg.record(snap(id)));
    assert.deepEqual(reg.runs().map((r) => r.id), ['c', 'd', 'e']);
    assert.deepEqual(reg.runs().map((r) => r.index), [3, 4, 5]);
    assert.equal(reg.dropped, 2);
    assert.equal(reg.total, 5);
    assert.equal(handles[0].snapshot.runId, 'a');
    assert.equal(handles[0].label, 'run 1');
  });

  test('latestOf finds the run a model made after a given point, not an earlier one', () => {
    const reg = new RunRegistry(3);
    const model = {} as tf.LayersModel;
    reg.record(snap('a'), model);
    const mark = reg.total;
    assert.equal(reg.latestOf(model, mark), undefined);
    const b = reg.record(snap('b'), model);
    assert.equal(reg.latestOf(model, mark), b);
  });
});
