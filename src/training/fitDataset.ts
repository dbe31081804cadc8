/**
 * `gs.fitDataset(model, dataset, args)`: {@link fit}'s loop over a `tf.data.Dataset` of batches
 * (elements `{ xs, ys }` or `[xs, ys]`, as `model.fitDataset`), with the same schedules, clipping,
 * history, NaN check, interrupt and observers.
 *
 * @example
 * ```ts
 * const ds = tf.data.zip({ xs: tf.data.array(xRows), ys: tf.data.array(yRows) }).shuffle(1000).batch(32);
 * const h = await gs.fitDataset(model, ds, { epochs: 5, schedule: gs.schedules.cosine({ initial: 0.01, steps: 500 }) });
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { ensureBackendPatches } from '../engine/wasm';
import type { FitHistory } from './history';
import { checkTrainable, compileIfAsked, internals, type ModelInternals } from '../engine/modelInternals';
import { TrainingRun, type TrainArgs } from './run';

type Part = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };
/**
 * One batch of a {@link fitDataset} dataset, as `model.fitDataset` takes it: `{ xs, ys }` or
 * `[xs, ys]`, each a tensor, one tensor per input or output, or tensors by input or output name.
 */
export type DatasetBatch = { xs: Part; ys: Part } | [Part, Part];
type Element = DatasetBatch;

/** Arguments of {@link fitDataset}. */
export interface FitDatasetArgs extends TrainArgs {
  /** Batches per epoch; when the dataset ends earlier it is restarted. Defaults to one full pass. */
  batchesPerEpoch?: number;
  /** A dataset of validation batches, or `[xVal, yVal]` tensors. Defaults to none. */
  validationData?: tf.data.Dataset<Element> | [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];
  /** Batch size for `[xVal, yVal]` validation tensors. Defaults to 32. */
  validationBatchSize?: number;
}

function split(el: Element, m: ModelInternals): tf.Tensor[] {
  const [xs, ys] = Array.isArray(el) ? el : [el?.xs, el?.ys];
  if (xs == null || ys == null) throw new Error('gs.fitDataset: dataset elements must be { xs, ys } or [xs, ys]');
  const arr = (p: Part, names: string[]): tf.Tensor[] =>
    p instanceof tf.Tensor ? [p] : Array.isArray(p) ? p : names.map((n) => {
      if (!(n in p)) throw new Error(`gs.fitDataset: batch has no '${n}' (keys: ${Object.keys(p).join(', ')})`);
      return p[n];
    });
  return [...arr(xs, m.inputNames), ...arr(ys, m.outputNames)];
}

/** Trains on a dataset of batches like `model.fitDataset`; returns a {@link FitHistory}. */
export async function fitDataset(model: tf.LayersModel, dataset: tf.data.Dataset<Element>, args: FitDatasetArgs = {}): Promise<FitHistory> {
  const callStack = new Error().stack;
  const who = 'gs.fitDataset';
  if (!(model instanceof tf.LayersModel)) throw new Error(`${who}: the first argument must be a tf.LayersModel`);
  if (dataset == null || typeof (dataset as { iterator?: unknown }).iterator !== 'function') {
    throw new Error(`${who}: the second argument must be a tf.data.Dataset`);
  }
  ensureBackendPatches(tf);
  const epochs = args.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`${who}: \`epochs\` must be a positive integer, got ${epochs}`);
  // Before compileIfAsked: compiling a Sequential builds a new inner model (isTraining false), so a
  // second call would otherwise swap the optimizer of the running fit and then train beside it.
  if (internals(model).isTraining) throw new Error(`${who}: cannot start training because another fit() call is ongoing`);
  compileIfAsked(model, args, who);
  checkTrainable(model, who);
  // After compile: a Sequential's inner model (what internals() reads) exists only once it is compiled.
  const m = internals(model);
  m.isTraining = true;
  const probe: tf.Tensor[] = [];
  try {
    const first = await (await dataset.iterator()).next();
    if (first.done) throw new Error(`${who}: the dataset is empty`);
    const parts = split(first.value, m);
    const nIn = m.inputNames.length;
    probe.push(...parts);
    const size = dataset.size;
    const stepsPerEpoch = args.batchesPerEpoch ?? (size != null && Number.isFinite(size) && size > 0 ? size : 0);
    const one = (ts: tf.Tensor[]) => (ts.length === 1 ? ts[0] : ts);
    const run = new TrainingRun(model, args, {
      epochs, initialEpoch: args.initialEpoch ?? 0, stepsPerEpoch, doValidation: args.validationData != null,
      probe: { x: one(probe.slice(0, nIn)), y: one(probe.slice(nIn)) }, probeFrom: 'first batch', callStack,
    });
    return await run.drive(async () => {
      let it = await dataset.iterator();
      for (let epoch = args.initialEpoch ?? 0; epoch < epochs && !run.stopRequested; epoch++) {
        await run.beginEpoch(epoch);
        if (args.batchesPerEpoch == null) it = await dataset.iterator();
        for (let b = 0; args.batchesPerEpoch == null || b < args.batchesPerEpoch; b++) {
          let next = await it.next();
          if (next.done && args.batchesPerEpoch != null) {
            it = await dataset.iterator();
            next = await it.next();
          }
          if (next.done) break;
          const batch = split(next.value, m);
          try {
            await run.trainStep(() => batch, b, batch[0].shape[0]);
          } finally {
            tf.dispose(batch);
          }
          if (run.stopRequested) break;
        }
        if (run.interrupted) break;
        await run.endEpoch(epoch, args.validationData && !m.stopTraining_ ? await validate(m, args) : {});
      }
    });
  } finally {
    m.isTraining = false;
    tf.dispose(probe);
  }
}

async function validate(m: ModelInternals, args: FitDatasetArgs): Promise<Record<string, number>> {
  const names = m.getDedupedMetricsNames();
  m.makeTestFunction();
  const sums = new Array<number>(names.length).fill(0);
  let count = 0;
  const v = args.validationData!;
  if (Array.isArray(v)) {
    const [vx, vy] = await m.standardizeUserData(v[0], v[1], undefined, undefined, true, args.validationBatchSize ?? 32);
    const values = tf.tidy(() => tf.stack(m.testLoop(m.testFunction, [...vx, ...vy], args.validationBatchSize ?? 32)).dataSync());
    names.forEach((_, i) => (sums[i] = values[i]));
    count = 1;
  } else {
    const it = await v.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const batch = split(r.value, m);
      const n = batch[0].shape[0];
      const values = tf.tidy(() => tf.stack(m.testFunction(batch)).dataSync());
      tf.dispose(batch);
      names.forEach((_, i) => (sums[i] += values[i] * n));
      count += n;
    }
  }
  const logs: Record<string, number> = {};
  if (count > 0) names.forEach((n, i) => (logs[`val_${n}`] = sums[i] / count));
  return logs;
}
