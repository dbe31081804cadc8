/**
 * Reading and setting the learning rate of any tfjs optimizer. Adam, Adamax, RMSProp, Adagrad and
 * Adadelta read their `learningRate` field at every step, but SGD and Momentum keep a cached
 * scalar `-lr` and only change through `setLearningRate`; writing the field alone silently does
 * nothing for them. These helpers handle both.
 *
 * @example
 * ```ts
 * const opt = tf.train.momentum(0.1, 0.9);
 * gs.setLearningRate(opt, 0.01);
 * gs.getLearningRate(opt); // 0.01, and the next update really uses it
 * ```
 */
import type * as tf from '@tensorflow/tfjs';

interface WithLr {
  learningRate?: number;
  setLearningRate?: (lr: number) => void;
}

/** The optimizer's current learning rate; throws when the optimizer has none. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as WithLr).learningRate;
  if (typeof lr !== 'number') {
    throw new Error(`gs: optimizer ${optimizer?.getClassName?.() ?? String(optimizer)} has no numeric learningRate`);
  }
  return lr;
}

/** Sets the optimizer's learning rate so that the next update uses it (all seven tfjs optimizers). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`gs: learning rate must be a finite number ≥ 0, got ${String(lr)}`);
  }
  const o = optimizer as unknown as WithLr;
  if (typeof o.setLearningRate === 'function') {
    // SGD/Momentum allocate a new kept scalar on each call; skip when nothing changes.
    if (o.learningRate !== lr) o.setLearningRate(lr);
    return;
  }
  if (typeof o.learningRate !== 'number') {
    throw new Error(`gs: optimizer ${optimizer?.getClassName?.() ?? String(optimizer)} has no learning rate to set`);
  }
  o.learningRate = lr;
}
