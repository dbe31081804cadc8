/**
 * `gradscope`, the training library that notebook cells import (`import * as gs from 'gradscope'`,
 * or `require('./dist/gradscope.js')` from plain Node). It shares the cell's `@tensorflow/tfjs`
 * (never a second copy) and fills the gaps tfjs leaves against Keras: learning-rate schedules,
 * gradient clipping, a training loop with per-step learning rates, NaN termination, interrupts and
 * gradient-health diagnostics, early stopping with best-weight restore, performance scheduling,
 * Monte Carlo dropout, self-normalizing layers and transfer learning.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import * as gs from 'gradscope';
 * const model = tf.sequential({ layers: [gs.layers.seluDense(32, { inputShape: [4] }), tf.layers.dense({ units: 1 })] });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
 * const h = await gs.fit(model, x, y, {
 *   epochs: 20, validationSplit: 0.2, clipnorm: 1,
 *   schedule: gs.schedules.exponential({ initial: 1e-3, steps: 1000 }),
 *   callbacks: [gs.callbacks.earlyStopping({ patience: 5, restoreBestWeights: true })],
 * });
 * ```
 */
export * as schedules from '../training/schedules';
export type { Schedule, ScheduleLike } from '../training/schedules';
export * as callbacks from '../training/callbacks';
export * as clip from '../training/clip';
export * as optimizers from '../training/optimizers';
export * as mcDropout from '../training/mcDropout';
export * as layers from '../training/layers';
export * as transfer from '../training/transfer';
export * as diagnostics from '../diagnostics';
export * as backend from '../engine/wasm';
export { fit, type FitArgs } from '../training/fit';
export { fitDataset, type FitDatasetArgs } from '../training/fitDataset';
export type { TrainArgs } from '../training/run';
export { FitHistory, NonFiniteLossError } from '../training/history';
export { getLearningRate, setLearningRate } from '../training/learningRate';
export type { TrainingObserver, TrainBeginInfo, BatchEndInfo } from '../training/observer';
