/**
 * A small training loop for the diagnostics tests that calls a TrainingObserver in the documented
 * order (onTrainBegin, per step onBatchBegin/onBatchEnd, onEpochEnd, onTrainEnd), like gs.fit does.
 * Plain minibatch training with a tfjs optimizer; no shuffling, so runs are reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossFn, TrainingObserver } from '../../../src/training/observer';

export interface DriveArgs {
  observer?: TrainingObserver;
  loss: LossFn;
  optimizer: tf.Optimizer;
  epochs: number;
  batchSize: number;
  validation?: [tf.Tensor, tf.Tensor];
  /** Samples in the probe batch. Defaults to 64. */
  probeSize?: number;
  /** Called after each epoch with the epoch index. */
  afterEpoch?: (epoch: number) => void;
}

/** Trains `model` on x/y and returns the per-epoch mean losses. */
export async function drive(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, a: DriveArgs): Promise<number[]> {
  const n = x.shape[0];
  const steps = Math.ceil(n / a.batchSize);
  const k = Math.min(a.probeSize ?? 64, n);
  const probe = { x: x.slice(0, k), y: y.slice(0, k) };
  const o = a.observer;
  await o?.onTrainBegin({
    model, epochs: a.epochs, stepsPerEpoch: steps, probe, loss: a.loss, optimizer: a.optimizer,
    scheduleKind: 'constant', initialStep: 0, callStack: new Error().stack,
  });
  const losses: number[] = [];
  const lr = (a.optimizer as unknown as { learningRate?: number }).learningRate ?? NaN;
  let step = 0;
  try {
    for (let epoch = 0; epoch < a.epochs; epoch++) {
      let sum = 0;
      for (let b = 0; b < steps; b++, step++) {
        await o?.onBatchBegin(step, epoch);
        const size = Math.min(a.batchSize, n - b * a.batchSize);
        const lossT = tf.tidy(() => {
          const xb = x.slice(b * a.batchSize, size);
          const yb = y.slice(b * a.batchSize, size);
          return a.optimizer.minimize(() => a.loss(yb, model.apply(xb, { training: true }) as tf.Tensor), true) as tf.Scalar;
        });
        const loss = lossT.dataSync()[0];
        lossT.dispose();
        sum += loss;
        await o?.onBatchEnd(step, { epoch, loss, lr, metrics: {} });
      }
      const logs: Record<string, number> = { loss: sum / steps };
      if (a.validation) {
        const v = tf.tidy(() => a.loss(a.validation![1], model.predict(a.validation![0]) as tf.Tensor));
        logs.val_loss = v.dataSync()[0];
        v.dispose();
      }
      losses.push(logs.loss);
      await o?.onEpochEnd(epoch, logs);
      a.afterEpoch?.(epoch);
    }
    await o?.onTrainEnd('finished');
  } catch (e) {
    await o?.onTrainEnd('failed', String(e));
    throw e;
  } finally {
    tf.dispose([probe.x, probe.y]);
  }
  return losses;
}

/** Mean squared error as a LossFn. */
export const mse: LossFn = (t, p) => tf.losses.meanSquaredError(t, p) as tf.Scalar;
/** Softmax cross-entropy on probabilities (the model ends in softmax) as a LossFn. */
export const cce: LossFn = (t, p) => tf.mean(tf.metrics.categoricalCrossentropy(t, p)) as tf.Scalar;
