/**
 * Plain `model.fit` in a kernel cell is observed by the health monitor (src/library/modelFit.ts): the
 * tfjs examples' loop of one-epoch fit calls gives one health output, updated in place, whose run
 * covers every call; model.fit's History is what it is outside the kernel; gs.fit is observed once;
 * gs.monitorModelFit(false) turns the observation off.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestKernel, type CellRun } from './kernelHarness';
import { HEALTH_MIME, type HealthSnapshot } from '../../../src/protocol/health';

/** The same model and data in a cell and in this process (plain JavaScript): constant initial weights, no shuffling. */
const SETUP = `
const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 6, inputShape: [4], activation: 'relu', kernelInitializer: tf.initializers.constant({ value: 0.1 }) }),
  tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.constant({ value: 0.2 }) }),
] });
model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae'] });
const x = tf.tensor2d(Array.from({ length: 64 * 4 }, (_, i) => Math.sin(i)), [64, 4]);
const y = x.sum(1, true);
`;
const LOOP = `
const seen = [];
let h;
for (let i = 0; i < 20; i++) {
  h = await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, validationSplit: 0.25, callbacks: { onBatchEnd: async (_b, l) => { seen.push(l.loss); } } });
}
`;

const healthOutputs = (r: CellRun): HealthSnapshot[] =>
  r.outputs.flatMap((o) => (o.output_type === 'display_data' && HEALTH_MIME in o.data ? [o.data[HEALTH_MIME] as HealthSnapshot] : []));

/** What the loop returns outside any kernel (the last History and the batches the callback saw). */
async function outsideKernel(): Promise<{ history: unknown; params: unknown; epoch: number[]; seen: number }> {
  const run = new Function('tf', `return (async () => { ${SETUP} ${LOOP}
    return { history: h.history, params: h.params, epoch: h.epoch, seen: seen.length }; })();`);
  return run(tf);
}

describe('plain model.fit in the kernel', () => {
  const k = new TestKernel();
  after(() => k.dispose());

  test('a 20-iteration loop of model.fit({ epochs: 1 }) gives one health output covering every call, with model.fit\'s own History', async () => {
    const r = await k.run(`import * as tf from '@tensorflow/tfjs';\n${SETUP}${LOOP}\nJSON.stringify({ history: h.history, params: h.params, epoch: h.epoch, seen: seen.length, isHistory: h instanceof tf.History })`);
    assert.equal(r.status, 'ok', r.errorText);
    const panels = healthOutputs(r);
    assert.equal(panels.length, 1, 'one health output for the whole loop');
    const s = panels[0];
    assert.equal(s.status, 'finished');
    // 48 training samples (validationSplit 0.25 of 64) in batches of 16: 3 steps per call, 60 in all.
    assert.equal(s.progress.totalSteps, 60);
    assert.equal(s.progress.step, 60, 'the batches of all 20 calls are done');
    assert.equal(s.progress.epochs, 20);
    assert.deepEqual(s.training.epochLoss.step, Array.from({ length: 20 }, (_, i) => i + 1), 'one epoch loss per call');
    assert.equal(s.training.epochValLoss?.step.length, 20, 'validation loss of every call');
    assert.ok(s.layers.some((l) => l.sensitivityRms.step.length > 0 && l.gradNorm.step.length > 0), 'the per-layer probes ran');
    assert.equal(s.training.gradNormPreClip, undefined, 'no per-step gradient norms: model.fit does not measure them');

    const got = JSON.parse(r.value!.replace(/^'|'$/g, ''));
    assert.equal(got.isHistory, true, 'model.fit still returns a tf.History');
    assert.equal(got.seen, 60, "the user's callback saw every batch");
    const want = JSON.parse(JSON.stringify(await outsideKernel()));
    assert.deepEqual({ history: got.history, params: got.params, epoch: got.epoch }, { history: want.history, params: want.params, epoch: want.epoch });
  });

  test('a loop of model.fitDataset calls gives one health output probed on the first batch, with fitDataset\'s own History', async () => {
    const DS = `
const ds = tf.data.zip({ xs: tf.data.array(x.unstack()), ys: tf.data.array(y.unstack()) }).batch(16);
const seenDs = [];
let hd;
for (let i = 0; i < 5; i++) hd = await model.fitDataset(ds, { epochs: 1, callbacks: [{ onBatchEnd: async (_b, l) => { seenDs.push(l.loss); } }] });
`;
    const r = await k.run(`${DS}\nJSON.stringify({ history: hd.history, params: hd.params, epoch: hd.epoch, seen: seenDs.length })`);
    assert.equal(r.status, 'ok', r.errorText);
    const panels = healthOutputs(r);
    assert.equal(panels.length, 1, 'one health output for the loop');
    const s = panels[0];
    assert.equal(s.status, 'finished');
    assert.equal(s.progress.totalSteps, 20, '4 batches of 16 per call, 5 calls');
    assert.equal(s.progress.step, 20);
    assert.equal(s.training.epochLoss.step.length, 5);
    assert.equal(s.probeBatch?.of, 16, 'the probe batch is drawn from the first batch');
    assert.ok(s.layers.some((l) => l.sensitivityRms.step.length > 0), 'the per-layer probes ran');
    const got = JSON.parse(r.value!.replace(/^'|'$/g, ''));
    assert.equal(got.seen, 20, "the user's callback saw every batch");
    const want = await new Function('tf', `return (async () => { ${SETUP} ${LOOP} ${DS} return { history: hd.history, params: hd.params, epoch: hd.epoch }; })();`)(tf);
    assert.deepEqual({ history: got.history, params: got.params, epoch: got.epoch }, JSON.parse(JSON.stringify(want)));
  });

  test('model.fit errors are its own', async () => {
    const r = await k.run(`const bare = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });\nawait bare.fit(x, y)`);
    assert.equal(r.status, 'error');
    const bare = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    const want = await bare.fit(tf.zeros([2, 4]), tf.zeros([2, 1])).then(() => '', (e: Error) => e.message);
    assert.ok(want && r.errorText?.includes(want), `${r.errorText} should include ${want}`);
    assert.equal(healthOutputs(r).length, 0);
  });

  test('a cell using gs.fit is observed once', async () => {
    const r = await k.run(`import * as gs from 'gradscope';\nconst m2 = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });\nm2.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });\nawait gs.fit(m2, x, y, { epochs: 2, batchSize: 16 });`);
    assert.equal(r.status, 'ok', r.errorText);
    const panels = healthOutputs(r);
    assert.equal(panels.length, 1);
    assert.equal(panels[0].progress.totalSteps, 8);
    assert.equal(panels[0].progress.step, 8);
  });

  test('running the same fit cell again is a new run (after a fix the user re-runs it): its own run id and steps, a new panel', async () => {
    await k.run(`const m3 = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });\nm3.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });`);
    const cell = 'the same fit cell';
    const first = await k.run(`for (let i = 0; i < 2; i++) await m3.fit(x, y, { epochs: 1, batchSize: 16 });`, undefined, cell);
    const second = await k.run(`for (let i = 0; i < 2; i++) await m3.fit(x, y, { epochs: 1, batchSize: 16 });`, undefined, cell);
    assert.equal(first.status, 'ok', first.errorText);
    assert.equal(second.status, 'ok', second.errorText);
    const [a] = healthOutputs(first);
    const [b] = healthOutputs(second);
    assert.ok(a && b, 'each run of the cell shows a panel');
    assert.notEqual(b.runId, a.runId, 'the re-run is another run');
    assert.equal(a.progress.step, 8, 'the first run: 2 calls × 4 batches');
    assert.equal(b.progress.step, 8, 'the second run counts its own steps, not the first run\'s');
  });

  test('an interrupted model.fit loop stops after its batch: the cell is interrupted, its panel ends stopped, the variables are kept', async () => {
    const running = k.run(`let calls = 0;\nfor (let i = 0; i < 100000; i++) { calls++; await model.fit(x, y, { epochs: 1, batchSize: 16 }); }\nglobalThis.ranOn = true;`);
    await sleep(1500);
    k.client.interrupt();
    const r = await running;
    assert.equal(r.status, 'interrupted', r.message ?? r.errorText);
    assert.match(r.errorText ?? '', /model\.fit stopped after step \d+ \(epoch 1\); the weights it trained are kept/);
    const panels = healthOutputs(r);
    assert.equal(panels.length, 1);
    assert.equal(panels[0].status, 'stopped');
    assert.equal((await k.run('typeof ranOn')).value, 'undefined', 'the rest of the cell did not run');
    assert.ok(Number((await k.run('calls')).value) > 1, 'the variables survive');
    const next = await k.run('await model.fit(x, y, { epochs: 1, batchSize: 16 });');
    assert.equal(next.status, 'ok', next.errorText);
    assert.equal(healthOutputs(next)[0]?.status, 'finished');
  });

  test('gs.monitorModelFit(false) leaves model.fit unobserved', async () => {
    const r = await k.run(`import * as gs from 'gradscope';\ngs.monitorModelFit(false);\nawait model.fit(x, y, { epochs: 1 });\ngs.monitorModelFit(true);`);
    assert.equal(r.status, 'ok', r.errorText);
    assert.equal(healthOutputs(r).length, 0);
  });
});
