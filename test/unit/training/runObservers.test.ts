import { test, describe, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fit } from '../../../src/library';
import { KERNEL_HOOKS_KEY, type KernelHooks } from '../../../src/protocol/kernelHooks';
import type { TrainingObserver, TrainBeginInfo, BatchEndInfo } from '../../../src/training/observer';
import type { HealthSnapshot } from '../../../src/protocol/health';

before(async () => {
  await tf.setBackend('cpu');
});

const g = globalThis as Record<symbol, unknown>;
afterEach(() => {
  delete g[KERNEL_HOOKS_KEY];
});

/** A kernel-hooks object as the notebook kernel installs it, with an interrupt we can raise. */
function fakeKernel() {
  const listeners = new Set<() => void>();
  const published: HealthSnapshot[] = [];
  const hooks: KernelHooks & { raise(): void } = {
    interrupted: false,
    onInterrupt(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    display: () => ({ id: '1', update() {} }),
    publishHealth: (s) => void published.push(s),
    callSite: () => undefined,
    sourcesOf: () => undefined,
    backend: { name: 'cpu' },
    raise() {
      (this as { interrupted: boolean }).interrupted = true;
      for (const l of listeners) l();
    },
  };
  g[KERNEL_HOOKS_KEY] = hooks;
  return { hooks, published, listeners };
}

function model() {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return m;
}

/** Records every call, in order. */
class Recorder implements TrainingObserver {
  calls: string[] = [];
  info?: TrainBeginInfo;
  batches: BatchEndInfo[] = [];
  constructor(private readonly onStep?: (step: number) => void) {}
  onTrainBegin(info: TrainBeginInfo) {
    this.info = info;
    this.calls.push('begin');
  }
  onBatchBegin(step: number) {
    this.calls.push(`b${step}`);
  }
  onBatchEnd(step: number, info: BatchEndInfo) {
    this.batches.push(info);
    this.calls.push(`e${step}`);
    this.onStep?.(step);
  }
  onEpochEnd(epoch: number) {
    this.calls.push(`epoch${epoch}`);
  }
  onEvent(e: { kind: string; step: number }) {
    this.calls.push(`${e.kind}@${e.step}`);
  }
  onTrainEnd(status: string) {
    this.calls.push(`end:${status}`);
  }
}

describe('gs.fit drives observers and the kernel interrupt', () => {
  test('observers see begin, each step, each epoch and one end; the probe and call stack are there', async () => {
    const rec = new Recorder();
    const x = tf.randomNormal([300, 2]);
    await fit(model(), x, tf.zeros([300, 1]), { epochs: 2, batchSize: 150, observers: [rec] });
    assert.deepEqual(rec.calls, ['begin', 'b0', 'e0', 'b1', 'e1', 'epoch0', 'b2', 'e2', 'b3', 'e3', 'epoch1', 'end:finished']);
    const probe = rec.info!.probe.x as tf.Tensor;
    assert.deepEqual(probe.shape, [300, 2], 'the whole training set, for the observer to draw its probe batch from');
    assert.equal(rec.info!.probeFrom, undefined, 'the training set (the default)');
    assert.match(rec.info!.callStack!, /runObservers\.test\.ts/);
    assert.equal(rec.info!.stepsPerEpoch, 2);
    assert.equal(rec.info!.scheduleKind, 'constant');
    assert.ok(rec.batches.every((b) => b.gradNormPreClip === undefined)); // no gradients measured without diagnostics/clipping
  });

  test('an observer that throws does not break training', async () => {
    const bad: TrainingObserver = {
      onTrainBegin() { throw new Error('boom'); },
      onBatchBegin() { throw new Error('boom'); },
      async onBatchEnd() { throw new Error('boom'); },
      onEpochEnd() { throw new Error('boom'); },
      onEvent() { throw new Error('boom'); },
      onTrainEnd() { throw new Error('boom'); },
    };
    const rec = new Recorder();
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => void warnings.push(m);
    try {
      const h = await fit(model(), tf.randomNormal([8, 2]), tf.zeros([8, 1]), { epochs: 2, batchSize: 4, observers: [bad, rec] });
      assert.equal(h.lr.length, 4);
    } finally {
      console.warn = warn;
    }
    assert.equal(rec.calls.at(-1), 'end:finished');
    assert.ok(warnings.some((w) => /onBatchEnd failed \(training goes on\): boom/.test(w)));
  });

  test("an interrupt stops at the next batch boundary, keeps the weights and (onInterrupt: 'return') returns the partial history", async () => {
    const { hooks, listeners } = fakeKernel();
    const m = model();
    let atInterrupt: number[] = [];
    const rec = new Recorder((step) => {
      if (step === 2) {
        atInterrupt = m.getWeights().flatMap((w) => Array.from(w.dataSync()));
        hooks.raise();
      }
    });
    const h = await fit(m, tf.randomNormal([40, 2]), tf.zeros([40, 1]), {
      epochs: 5, batchSize: 4, diagnostics: false, observers: [rec], onInterrupt: 'return',
    });
    assert.equal(h.interrupted, true);
    assert.equal(h.lr.length, 3); // steps 0, 1, 2
    assert.deepEqual(h.epoch, []); // the first epoch never finished
    assert.deepEqual(rec.calls.slice(-2), ['interrupted@2', 'end:stopped']);
    assert.deepEqual(m.getWeights().flatMap((w) => Array.from(w.dataSync())), atInterrupt);
    assert.equal(listeners.size, 0); // unsubscribed
  });

  test('inside a kernel, diagnostics default on: gradient norms are measured and health is published', async () => {
    const { published } = fakeKernel();
    const rec = new Recorder();
    await fit(model(), tf.randomNormal([16, 2]), tf.zeros([16, 1]), { epochs: 1, batchSize: 8, observers: [rec] });
    assert.ok(rec.batches.every((b) => typeof b.gradNormPreClip === 'number' && b.gradNormPreClip === b.gradNormPostClip));
    assert.ok(published.length >= 1);
    assert.equal(published.at(-1)!.status, 'finished');
  });
});
