/**
 * Training in a loop (the tfjs examples' idiom: `for (…) await model.fit(…, { epochs: 1 })`) is one
 * run: steps and epochs keep counting across the calls, the epoch-level rules see the whole
 * training, and a loss that stalls reaches `plateau`.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fit, runs as sessionRuns } from '../../../src/library';
import { healthMonitor } from '../../../src/diagnostics';
import type { HealthSnapshot } from '../../../src/protocol/health';

describe('fit calls in a loop', () => {
  before(async () => { await tf.setBackend('cpu'); });

  test('100 one-epoch fit calls on one model are one run that reaches plateau when the loss stalls', async () => {
    // A linear model on a noisy linear task: it learns within a few iterations, then sits at its noise floor.
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 7);
    const y = tf.add(tf.matMul(x, tf.randomNormal([4, 1], 0, 1, 'float32', 8)), tf.randomNormal([64, 1], 0, 0.5, 'float32', 9));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const seen: HealthSnapshot[] = [];
    const before = sessionRuns().length;
    const handles = new Set<unknown>();
    for (let i = 0; i < 100; i++) {
      const h = await fit(model, x, y, { epochs: 1, batchSize: 32, diagnostics: { onSnapshot: (s) => seen.push(s), publishIntervalMs: 0 } });
      handles.add(h.run);
    }
    assert.equal(handles.size, 1, 'every call of the loop hands back the same run');
    assert.ok([...handles][0], 'each history carries the run');
    assert.equal(sessionRuns().length - before, 1, 'the loop adds one entry to gs.runs()');
    assert.equal(sessionRuns().at(-1)?.snapshot.progress.step, 200, 'the entry holds the whole loop');
    const runs = new Set(seen.map((s) => s.runId));
    assert.equal(runs.size, 1, 'one run for the whole loop');
    const last = seen[seen.length - 1];
    assert.equal(last.status, 'finished');
    assert.equal(last.progress.step, 200, '100 calls × 2 batches');
    assert.equal(last.progress.epochs, 100);
    assert.equal(last.training.epochLoss.value.length, 100);
    assert.deepEqual(last.training.epochLoss.step.slice(0, 3), [1, 2, 3]);
    const steps = last.training.loss.step;
    assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]), 'steps increase across the calls');
    assert.ok(last.findings.some((f) => f.code === 'plateau'), last.findings.map((f) => f.code).join());
    assert.ok(!last.findings.some((f) => f.code.startsWith('lr-')), last.findings.map((f) => f.message).join('\n'));
    assert.ok((last.cost?.probes ?? 0) >= 32, `probes spread over the loop: ${last.cost?.probes}`);
    tf.dispose([x, y]);
  });

  test('a new model starts its own run, and so does continueRun: false', async () => {
    const x = tf.randomNormal([32, 4], 0, 1, 'float32', 1);
    const y = tf.randomNormal([32, 1], 0, 1, 'float32', 2);
    const make = () => {
      const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const ids: string[] = [];
    const a = make();
    await fit(a, x, y, { epochs: 1, diagnostics: { onSnapshot: (s) => ids.push(s.runId) } });
    await fit(make(), x, y, { epochs: 1, diagnostics: { onSnapshot: (s) => ids.push(s.runId) } });
    assert.equal(new Set(ids).size, 2);
    // continueRun: false asks for a new run on the same model.
    await fit(a, x, y, { epochs: 1, diagnostics: { onSnapshot: (s) => ids.push(s.runId) } });
    assert.equal(new Set(ids).size, 2, 'the same model again: its run goes on');
    await fit(a, x, y, { epochs: 1, diagnostics: { onSnapshot: (s) => ids.push(s.runId), continueRun: false } });
    assert.equal(new Set(ids).size, 3);
    assert.throws(() => healthMonitor({ continueRun: 'yes' as never }), /continueRun must be true or false, got yes/);
    tf.dispose([x, y]);
  });
});
