/**
 * `gradscope`, the training library that notebook cells import (`import * as gs from 'gradscope'`,
 * or `require('./dist/gradscope.js')` from plain Node). It shares the cell's `@tensorflow/tfjs`
 * (never a second copy) and fills the gaps tfjs leaves against Keras: learning-rate schedules,
 * gradient clipping, a training loop with per-step learning rates, NaN termination, interrupts and
 * gradient-health diagnostics, early stopping with best-weight restore, performance scheduling,
 * Monte Carlo dropout, self-normalizing layers, transfer learning, and `file://` model files in plain
 * Node (importing the library registers tfjs's file:// save and load routers when tfjs-node's are absent).
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
 *
 * This entry installs the health monitor into the training loop (src/training/monitorSeam.ts): `gs.fit`
 * monitors by default inside a Gradscope kernel and whenever `diagnostics` is set.
 */
import * as tf from '@tensorflow/tfjs';
import { fileSystem, registerFileRouters, type FileSystemArgs } from '../engine/fileIO';
import { HealthMonitor, healthMonitor, type HealthMonitorArgs } from '../diagnostics';
import { installMonitorPlugin } from '../training/monitorSeam';
import { fit as trainingFit, type FitArgs as TrainingFitArgs, type FitData } from '../training/fit';
import { fitDataset as trainingFitDataset, type FitDatasetArgs as TrainingFitDatasetArgs, type DatasetBatch } from '../training/fitDataset';
import type { TrainArgs as TrainingArgs } from '../training/run';
import { FitHistory } from '../training/history';
import { runRegistry, type Run } from '../diagnostics/runs/registry';

registerFileRouters(tf);

/**
 * Model files. `gs.io.fileSystem(path, { shardSizeBytes })` is an IO handler for `model.save(…)`
 * that splits the weights into `group1-shardNofM.bin` files; plain `'file://…'` URLs need no handler.
 *
 * @example
 * ```ts
 * await model.save(gs.io.fileSystem('./models/big', { shardSizeBytes: 4 << 20 }));
 * const again = await tf.loadLayersModel('file://./models/big/model.json');
 * ```
 */
export const io = {
  fileSystem: (path: string, options?: FileSystemArgs) => fileSystem(tf, path, options),
};
export type { FileSystemArgs } from '../engine/fileIO';

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
export { FitHistory, NonFiniteLossError } from '../training/history';
export { getLearningRate, setLearningRate } from '../training/learningRate';
export type { TrainingObserver, TrainBeginInfo, BatchEndInfo } from '../training/observer';
/** `gs.lrFinder(model, x, y, { start, end, steps })`: the learning-rate range test (src/diagnostics/lrFinder.ts). */
export { lrFinder, LrFinderResult } from '../diagnostics/lrFinder';
export type { LrFinderArgs } from '../diagnostics/lrFinder';
/** `gs.exportSeries(run, { path: 'run1.csv' })`: a run's series as CSV or JSON (src/diagnostics/export/series.ts). */
export { exportSeries } from '../diagnostics/export/series';
export type { ExportSeriesArgs, ExportedSeries } from '../diagnostics/export/series';
/** `gs.monitorModelFit(false)`: stop observing plain `model.fit` in the kernel; `observeModelFit` is the kernel's (src/library/modelFit.ts). */
export { monitorModelFit, observeModelFit } from './modelFit';

installMonitorPlugin({
  create: (options) => healthMonitor(options as HealthMonitorArgs | undefined),
  wantsGradients: (observer) => observer instanceof HealthMonitor,
});

/** The monitor setting of the training arguments: on, off, or on with these options. */
interface MonitorSetting {
  /**
   * Gradient-health monitoring: true, false or the monitor's options (`gs.diagnostics.HealthMonitorArgs`).
   * Defaults to true inside a Gradscope kernel, false elsewhere.
   */
  diagnostics?: boolean | HealthMonitorArgs;
}

/** Arguments shared by `gs.fit` and `gs.fitDataset`: epochs, optimizer and loss, schedule, clipping, callbacks, diagnostics. */
export interface TrainArgs extends Omit<TrainingArgs, 'diagnostics'>, MonitorSetting {}
/** Arguments of {@link fit}: those of `model.fit` (batch size, validation, shuffling, weights) plus {@link TrainArgs}. */
export interface FitArgs extends Omit<TrainingFitArgs, 'diagnostics'>, MonitorSetting {}
/** Arguments of {@link fitDataset}: batches per epoch and validation, plus {@link TrainArgs}. */
export interface FitDatasetArgs extends Omit<TrainingFitDatasetArgs, 'diagnostics'>, MonitorSetting {}
export type { FitData } from '../training/fit';
export type { DatasetBatch } from '../training/fitDataset';

/**
 * What gs.fit and gs.fitDataset return: a `tf.History` ({@link FitHistory}) with `run`, the run's entry
 * of gs.runs(), when the health monitor observed it.
 */
export type RunHistory = FitHistory & { run?: Run };

/**
 * Runs `train` and hands back its history with the run the monitor recorded for `model` (also on the
 * history a failed or interrupted run's error carries).
 */
async function withRun(model: tf.LayersModel, train: () => Promise<FitHistory>): Promise<RunHistory> {
  const before = runRegistry.recorded;
  const attach = (h: unknown) => {
    const run = runRegistry.latestOf(model, before);
    if (run && h instanceof FitHistory) Object.defineProperty(h, 'run', { value: run, enumerable: false, configurable: true });
  };
  try {
    const h = await train();
    attach(h);
    return h;
  } catch (e) {
    attach((e as { history?: unknown } | null)?.history);
    throw e;
  }
}

/**
 * Trains `model` on `x`/`y` like `model.fit` and returns its {@link FitHistory} (per-epoch logs, plus
 * the learning rate and gradient norm of every step; `history.run` is the run's entry of gs.runs()). Adds learning-rate schedules, gradient clipping,
 * NaN termination, kernel interrupts and the health monitor; see {@link FitArgs}. Throws
 * `NonFiniteLossError` when the loss stops being finite.
 *
 * @example
 * ```ts
 * const h = await gs.fit(model, x, y, {
 *   epochs: 5, batchSize: 32, validationSplit: 0.2, clipnorm: 1,
 *   schedule: gs.schedules.exponential({ initial: 0.1, steps: 40 }),
 * });
 * ```
 */
export function fit(model: tf.LayersModel, x: FitData, y: FitData, args?: FitArgs): Promise<RunHistory> {
  return withRun(model, () => trainingFit(model, x, y, args));
}

/**
 * Trains `model` on a `tf.data.Dataset` of batches like `model.fitDataset` and returns its
 * {@link FitHistory}, with {@link fit}'s schedules, clipping, history and health monitor; see
 * {@link FitDatasetArgs}.
 *
 * @example
 * ```ts
 * const ds = tf.data.zip({ xs: tf.data.array(xRows), ys: tf.data.array(yRows) }).batch(32);
 * const h = await gs.fitDataset(model, ds, { epochs: 5 });
 * ```
 */
export function fitDataset(model: tf.LayersModel, dataset: tf.data.Dataset<DatasetBatch>, args?: FitDatasetArgs): Promise<RunHistory> {
  return withRun(model, () => trainingFitDataset(model, dataset, args));
}

export { runs, compare, RunList, Comparison } from '../diagnostics/runs/compare';
export type { RunLike } from '../diagnostics/runs/compare';
export { Run, MAX_RUNS } from '../diagnostics/runs/registry';
export type { RunOptions } from '../protocol/health';
