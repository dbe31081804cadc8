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
import { fit as trainingFit, type FitArgs as TrainingFitArgs } from '../training/fit';
import { fitDataset as trainingFitDataset, type FitDatasetArgs as TrainingFitDatasetArgs } from '../training/fitDataset';
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

/** The monitor setting of {@link TrainArgs}: on, off, or on with these options. */
type Diagnostics = { diagnostics?: boolean | HealthMonitorArgs };

/** Arguments shared by `gs.fit` and `gs.fitDataset`; `diagnostics` defaults to true inside a Gradscope kernel, false elsewhere. */
export type TrainArgs = Omit<TrainingArgs, 'diagnostics'> & Diagnostics;
/** Arguments of {@link fit}. */
export type FitArgs = Omit<TrainingFitArgs, 'diagnostics'> & Diagnostics;
/** Arguments of {@link fitDataset}. */
export type FitDatasetArgs = Omit<TrainingFitDatasetArgs, 'diagnostics'> & Diagnostics;

/** What gs.fit returns: the history, with `run` (the run's entry of gs.runs()) when the monitor observed it. */
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

/** Trains `model` on `x`/`y` like `model.fit` (see src/training/fit.ts), with the health monitor available; `history.run` is the run's entry of gs.runs(). */
export const fit = (model: tf.LayersModel, x: Parameters<typeof trainingFit>[1], y: Parameters<typeof trainingFit>[2], args?: FitArgs): Promise<RunHistory> =>
  withRun(model, () => trainingFit(model, x, y, args));
/** Trains `model` on a `tf.data.Dataset` like `model.fitDataset` (see src/training/fitDataset.ts), with the health monitor available; `history.run` as gs.fit's. */
export const fitDataset = (model: tf.LayersModel, dataset: Parameters<typeof trainingFitDataset>[1], args?: FitDatasetArgs): Promise<RunHistory> =>
  withRun(model, () => trainingFitDataset(model, dataset, args));

export { runs, compare, RunList, Comparison } from '../diagnostics/runs/compare';
export type { RunLike } from '../diagnostics/runs/compare';
export { Run, MAX_RUNS } from '../diagnostics/runs/registry';
export type { RunOptions } from '../protocol/health';
