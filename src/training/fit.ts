/**
 * `gs.fit(model, x, y, args)`: `model.fit` plus learning-rate schedules, gradient clipping, per-step
 * learning rates and gradient norms in the history, NaN termination, kernel interrupts and the
 * gradient-health observers. Each step runs the model's own tfjs train function, so the numbers
 * (and the speed) are those of `model.fit`; batches are gathered by shuffled indices once per epoch.
 * `classWeight` weighs the loss as `model.fit` does, `sampleWeight` too (which tfjs's model.fit
 * refuses); the `model.fit` options it has no meaning for are refused by name, never ignored.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import * as gs from 'gradscope';
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
 * const x = tf.randomNormal([256, 3]);
 * const y = x.sum(1, true);
 * const h = await gs.fit(model, x, y, {
 *   optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError', epochs: 5, batchSize: 32,
 *   schedule: gs.schedules.exponential({ initial: 0.1, steps: 40 }), clipnorm: 1,
 * });
 * console.log(h.history.loss, h.lr.length); // 5 epoch losses, 40 learning rates
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { ensureBackendPatches } from '../engine/wasm';
import type { FitHistory } from './history';
import { checkTrainable, compileIfAsked, internals } from '../engine/modelInternals';
import { TrainingRun, type TrainArgs } from './run';

/** Arguments of {@link fit}: those of `model.fit` plus schedules, clipping and diagnostics. */
export interface FitArgs extends TrainArgs {
  /** Samples per step. Defaults to 32. */
  batchSize?: number;
  /** `[xVal, yVal]` evaluated at the end of each epoch (`val_*` logs). Defaults to none. */
  validationData?: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];
  /** Fraction in (0, 1) of the samples, taken from the end before shuffling, used for validation. Defaults to none. */
  validationSplit?: number;
  /** Shuffle the training samples before each epoch. Defaults to true. */
  shuffle?: boolean;
  /**
   * Weight of each class in the loss, as `model.fit`: `{ 0: 1, 1: 9 }` for one output (class index
   * from `y`'s argmax, or its value for a `[n]` / `[n, 1]` target), an array or a map by output name
   * for several. Validation losses are not weighted (as `model.fit`). Defaults to none.
   */
  classWeight?: tf.ClassWeight | tf.ClassWeight[] | tf.ClassWeightMap;
  /**
   * Weight of each training sample in the loss: a tensor of shape `[n]` (or `[n, 1]`), one value per
   * sample of `x`, applied to every output and multiplied with `classWeight`. Defaults to none.
   */
  sampleWeight?: tf.Tensor;
}

/**
 * `model.fit` options gs.fit has no use for, with the reason it refuses them; undefined accepts the
 * value (the one that means what gs.fit does anyway).
 */
const REFUSED: Record<string, (v: unknown) => string | undefined> = {
  stepsPerEpoch: () => 'with tensors an epoch is one pass over the samples, ⌈samples / batchSize⌉ steps (tfjs\'s model.fit refuses it too); for epochs of a set number of batches use gs.fitDataset with `batchesPerEpoch`',
  validationSteps: () => 'validation runs on all of `validationData` or the `validationSplit` samples at the end of each epoch',
  yieldEvery: (v) => (v === 'auto' ? undefined : 'gs.fit yields between batches by itself (about every 20 ms, so the kernel can interrupt it); leave it out'),
  verbose: (v) => (v === 0 ? undefined : 'gs.fit prints no progress log (the gradient-health panel shows progress; a callback can print); leave it out or pass 0'),
};

/** Throws, naming the option, for a `model.fit` option gs.fit refuses (see {@link REFUSED}). */
function refuseUnsupported(who: string, args: FitArgs): void {
  const given = args as Record<string, unknown>;
  for (const [name, why] of Object.entries(REFUSED)) {
    if (given[name] === undefined) continue;
    const reason = why(given[name]);
    if (reason) throw new Error(`${who}: \`${name}\` is not supported: ${reason}`);
  }
  if (given.shuffle === 'batch') throw new Error(`${who}: \`shuffle: 'batch'\` is not supported (tfjs's model.fit refuses it too); pass true or false`);
}

/**
 * One loss-weight tensor (or null) per output: the class weights `standardizeUserData` made, times
 * the sample weights. The returned tensors that are not the user's are listed in `owned`.
 */
function lossWeights(who: string, fromClasses: (tf.Tensor | null)[] | null, sample: tf.Tensor | undefined, n: number, outputs: number, owned: tf.Tensor[]): (tf.Tensor | null)[] {
  let perSample: tf.Tensor | undefined;
  if (sample !== undefined) {
    if (!(sample instanceof tf.Tensor)) throw new Error(`${who}: \`sampleWeight\` must be a tensor with one weight per sample`);
    const ok = (sample.rank === 1 || (sample.rank === 2 && sample.shape[1] === 1)) && sample.shape[0] === n;
    if (!ok) throw new Error(`${who}: \`sampleWeight\` must have shape [${n}] (one weight per sample of x), got [${sample.shape.join(', ')}]`);
    perSample = sample.rank === 1 ? sample : sample.reshape([n]);
    if (perSample !== sample) owned.push(perSample);
  }
  return Array.from({ length: outputs }, (_, i) => {
    const c = fromClasses?.[i] ?? null;
    if (c) owned.push(c);
    if (c && perSample) {
      const both = tf.mul(c, perSample);
      owned.push(both);
      return both;
    }
    return c ?? perSample ?? null;
  });
}

/**
 * Inputs or targets of {@link fit}, as `model.fit` takes them: one tensor (one input or output), one
 * tensor per input or output in model order, or tensors by input or output name.
 */
export type FitData = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

function positiveInt(who: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${who}: \`${name}\` must be a positive integer, got ${String(v)}`);
  return v;
}

/** The tensors of `made` that standardization created (not among the user's `given` ones). */
function newOnes(made: tf.Tensor[] | undefined, given: unknown): tf.Tensor[] {
  const keep = new Set<unknown>(given instanceof tf.Tensor ? [given] : Array.isArray(given) ? given : Object.values(given ?? {}));
  return (made ?? []).filter((t) => !keep.has(t));
}

const one = (ts: tf.Tensor[]) => (ts.length === 1 ? ts[0] : ts);

/**
 * Trains `model` on `x`/`y` like `model.fit` and returns a {@link FitHistory}. See {@link FitArgs}
 * and {@link TrainArgs} for the options; throws `NonFiniteLossError` when the loss stops being finite.
 */
export async function fit(model: tf.LayersModel, x: FitData, y: FitData, args: FitArgs = {}): Promise<FitHistory> {
  const callStack = new Error().stack;
  const who = 'gs.fit';
  if (!(model instanceof tf.LayersModel)) throw new Error(`${who}: the first argument must be a tf.LayersModel`);
  ensureBackendPatches(tf);
  const epochs = args.epochs == null ? 1 : positiveInt(who, 'epochs', args.epochs);
  const batchSize = args.batchSize == null ? 32 : positiveInt(who, 'batchSize', args.batchSize);
  const initialEpoch = args.initialEpoch ?? 0;
  refuseUnsupported(who, args);
  const split = args.validationSplit;
  if (split != null && !(split > 0 && split < 1)) throw new Error(`${who}: \`validationSplit\` must be in (0, 1), got ${split}`);
  // Before compileIfAsked: recompiling a model that is training would swap its optimizer mid-run.
  if (internals(model).isTraining) throw new Error(`${who}: cannot start training because another fit() call is ongoing`);
  compileIfAsked(model, args, who);
  checkTrainable(model, who);
  // After compile: a Sequential's inner model (what internals() reads) exists only once it is compiled.
  const m = internals(model);
  m.isTraining = true;
  let made: tf.Tensor[][] = [];
  const weightTensors: tf.Tensor[] = [];
  try {
    const [xs, ys, fromClasses] = await m.standardizeUserData(x, y, undefined, args.classWeight, false, batchSize);
    made.push(xs, ys, weightTensors);
    let weights = lossWeights(who, fromClasses, args.sampleWeight, xs[0].shape[0], ys.length, weightTensors);
    let inputs = xs;
    let targets = ys;
    let valIns: tf.Tensor[] | undefined;
    if (args.validationData != null) {
      if (!Array.isArray(args.validationData) || args.validationData.length !== 2) {
        throw new Error(`${who}: \`validationData\` must be [xVal, yVal]`);
      }
      const [vx, vy] = await m.standardizeUserData(args.validationData[0], args.validationData[1], undefined, undefined, true, batchSize);
      valIns = [...vx, ...vy];
      made.push(newOnes(vx, args.validationData[0]), newOnes(vy, args.validationData[1]));
    } else if (split != null) {
      const total = xs[0].shape[0];
      const at = Math.floor(total * (1 - split));
      if (at < 1 || at >= total) throw new Error(`${who}: validationSplit ${split} leaves no training or no validation samples`);
      inputs = xs.map((t) => t.slice(0, at));
      targets = ys.map((t) => t.slice(0, at));
      valIns = [...xs.map((t) => t.slice(at)), ...ys.map((t) => t.slice(at))];
      weights = weights.map((w) => w && w.slice(0, at));
      made.push(inputs, targets, valIns, weights.filter((w): w is tf.Tensor => w !== null));
    }
    const n = inputs[0].shape[0];
    const stepsPerEpoch = Math.ceil(n / batchSize);
    // The observers draw their probe batch from the whole training set (a view, nothing copied).
    const run = new TrainingRun(model, args, {
      epochs, initialEpoch, stepsPerEpoch, batchSize, samples: n, doValidation: valIns != null,
      probe: { x: one(inputs), y: one(targets) }, callStack,
    });
    // The train function reads a loss weight per output after the targets (null: unweighted).
    const data: (tf.Tensor | null)[] = weights.some((w) => w) ? [...inputs, ...targets, ...weights] : [...inputs, ...targets];
    return await run.drive(async () => {
      const order = new Int32Array(n).map((_, i) => i);
      for (let epoch = initialEpoch; epoch < epochs && !run.stopRequested; epoch++) {
        await run.beginEpoch(epoch);
        if (args.shuffle !== false) tf.util.shuffle(order);
        for (let b = 0, start = 0; start < n && !run.stopRequested; b++, start += batchSize) {
          const size = Math.min(batchSize, n - start);
          // The batch's indices come straight from JS (no slice of an index tensor, which the wasm
          // backend would copy whole out of its heap), then one gather per input and target.
          await run.trainStep(() => {
            const batchIds = tf.tensor1d(order.subarray(start, start + size), 'int32');
            return data.map((t) => t && tf.gather(t, batchIds)) as tf.Tensor[];
          }, b, size);
        }
        if (run.interrupted) break;
        await run.endEpoch(epoch, valIns && !m.stopTraining_ ? validate(model, valIns, batchSize) : {});
      }
    });
  } finally {
    m.isTraining = false;
    tf.dispose(newOnes(made[0], x));
    tf.dispose(newOnes(made[1], y));
    for (const ts of made.slice(2)) tf.dispose(ts);
    made = [];
  }
}

/** `val_*` logs through the model's own test function (as model.fit). */
function validate(model: tf.LayersModel, valIns: tf.Tensor[], batchSize: number): Record<string, number> {
  const m = internals(model);
  m.makeTestFunction();
  const names = m.getDedupedMetricsNames();
  const values = tf.tidy(() => {
    const outs = m.testLoop(m.testFunction, valIns, batchSize);
    return outs.length === 1 ? outs[0].dataSync() : tf.stack(outs).dataSync();
  });
  const logs: Record<string, number> = {};
  names.forEach((name, i) => (logs[`val_${name}`] = values[i]));
  return logs;
}
