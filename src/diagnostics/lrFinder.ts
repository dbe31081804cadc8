/**
 * `gs.lrFinder`: the learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks"). The model trains for a few steps with a rate that grows exponentially from `start`
 * toward `end`, one batch per step, until the loss diverges; the loss against the rate shows where
 * training is fastest. The test trains a fresh copy of the optimizer (same class and settings, no
 * state) through the model's own train function, and writes every weight back afterwards (trainable
 * and not, batch-norm statistics included): the model and its optimizer are exactly as before.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
 * const found = await gs.lrFinder(model, x, y, { start: 1e-5, end: 10, steps: 100 });
 * found.suggestion.lr;     // the rate of the steepest descent of the smoothed loss
 * found.suggestion.reason; // why (or why no rate is suggested)
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { LR_FINDER_MIME, LR_FINDER_SCHEMA_VERSION, type LrFinderPayload, type LrPoint, type LrSuggestion } from '../protocol/lrFinder';
import { interruptedError, kernelHooks } from '../protocol/kernelHooks';
import { checkTrainable, internals } from '../engine/modelInternals';
import { ClippedOptimizer } from '../training/optimizers';
import { setLearningRate } from '../training/learningRate';
import { SmoothedLoss, analyzeCurve, rateAt } from './lrCurve';
import { seededRandom } from './probeBatch';

/** Arguments of {@link lrFinder}. */
export interface LrFinderArgs {
  /** Rate of the first step. Defaults to 1e-7. */
  start?: number;
  /** Rate the last step reaches (unless the loss diverges first). Defaults to 10. */
  end?: number;
  /** Steps from `start` to `end`, one batch each. Defaults to 100. */
  steps?: number;
  /** Samples per step. Defaults to 32. */
  batchSize?: number;
  /** Smoothing factor β of the loss's exponential moving average (bias-corrected), in [0, 1). Defaults to 0.9 (an average over about 10 steps: longer ones lag the rate by a large part of a decade). */
  beta?: number;
  /** Stop when the smoothed loss exceeds this many times its lowest value so far (or is not finite); > 1. Defaults to 4. */
  divergeFactor?: number;
  /** First steps not judged for the suggestion (the smoothing settles). Defaults to a tenth of `steps`. */
  burnIn?: number;
  /**
   * The optimizer whose class and settings the test trains with (a fresh copy of it: its state is not
   * touched). Any tfjs optimizer or `gs.optimizers.clipped(…)`. Defaults to the model's compiled one.
   */
  optimizer?: tf.Optimizer;
  /** Draw the batches in a shuffled order (each pass over the data shuffled anew). Defaults to true. */
  shuffle?: boolean;
  /** Seed of the shuffle, so that a test can be repeated batch for batch. Defaults to 0. */
  seed?: number;
  /** Show the curve as a notebook output. Defaults to true inside a Gradscope kernel; true elsewhere is an error. */
  display?: boolean;
}

/** What {@link lrFinder} returns: the curve, its analysis and the suggestion. */
export class LrFinderResult {
  constructor(readonly payload: LrFinderPayload) {}
  /** Rate of each step. */
  get lr(): number[] { return this.payload.lr; }
  /** Loss of each step's batch (null where not finite). */
  get loss(): (number | null)[] { return this.payload.loss; }
  /** Smoothed, bias-corrected loss of each step. */
  get smoothed(): (number | null)[] { return this.payload.smoothed; }
  get suggestion(): LrSuggestion { return this.payload.suggestion; }
  get steepest(): (LrPoint & { slope: number }) | undefined { return this.payload.steepest; }
  get minimum(): LrPoint | undefined { return this.payload.minimum; }
  get diverged(): (LrPoint & { why: string }) | undefined { return this.payload.diverged; }
  /** The suggestion and its reasons as text. */
  toString(): string {
    const s = this.payload.suggestion;
    return [s.lr !== undefined ? `Suggested learning rate: ${s.lr.toPrecision(3)}` : 'No learning rate suggested', ...s.reason].join('\n');
  }
}

const positive = (who: string, name: string, v: number) => {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${who}: \`${name}\` must be a positive finite number, got ${String(v)}`);
  return v;
};
const count = (who: string, name: string, v: number, min: number) => {
  if (!(Number.isInteger(v) && v >= min)) throw new Error(`${who}: \`${name}\` must be a whole number ≥ ${min}, got ${String(v)}`);
  return v;
};

/** A new optimizer of the same class and settings as `o`, without its state (moments, iterations). */
export function freshCopy(o: tf.Optimizer, who = 'gs.lrFinder'): tf.Optimizer {
  if (o instanceof ClippedOptimizer) {
    return new ClippedOptimizer(freshCopy(o.inner, who), { clipnorm: o.clipnorm, clipvalue: o.clipvalue, globalClipnorm: o.globalClipnorm, recordNorms: false });
  }
  const ctor = o?.constructor as unknown as { fromConfig?: (cls: unknown, c: tf.serialization.ConfigDict) => tf.Optimizer } | undefined;
  if (!(o instanceof tf.Optimizer) || typeof ctor?.fromConfig !== 'function') {
    throw new Error(`${who}: cannot copy the optimizer ${o?.getClassName?.() ?? String(o)} (it needs getConfig and a static fromConfig, as tfjs's optimizers have)`);
  }
  return ctor.fromConfig(ctor, o.getConfig());
}

type Data = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/**
 * Runs the range test on `model` with `x`/`y` (see the module comment and {@link LrFinderArgs}) and
 * returns the curve with its suggestion. The model must be compiled. Inside a kernel the curve is
 * shown as an output; an interrupt stops the test with the model restored.
 */
export async function lrFinder(model: tf.LayersModel, x: Data, y: Data, args: LrFinderArgs = {}): Promise<LrFinderResult> {
  const who = 'gs.lrFinder';
  if (!(model instanceof tf.LayersModel)) throw new Error(`${who}: the first argument must be a tf.LayersModel`);
  const known = new Set(['start', 'end', 'steps', 'batchSize', 'beta', 'divergeFactor', 'burnIn', 'optimizer', 'shuffle', 'seed', 'display']);
  for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`${who}: unknown option \`${k}\` (known: ${[...known].join(', ')})`);
  const start = positive(who, 'start', args.start ?? 1e-7);
  const end = positive(who, 'end', args.end ?? 10);
  if (!(end > start)) throw new Error(`${who}: \`end\` (${end}) must be greater than \`start\` (${start})`);
  const steps = count(who, 'steps', args.steps ?? 100, 3);
  const batchSize = count(who, 'batchSize', args.batchSize ?? 32, 1);
  const beta = args.beta ?? 0.9;
  if (!(typeof beta === 'number' && beta >= 0 && beta < 1)) throw new Error(`${who}: \`beta\` must be in [0, 1), got ${String(beta)}`);
  const divergeFactor = args.divergeFactor ?? 4;
  if (!(typeof divergeFactor === 'number' && divergeFactor > 1)) throw new Error(`${who}: \`divergeFactor\` must be a number > 1, got ${String(divergeFactor)}`);
  const burnIn = count(who, 'burnIn', args.burnIn ?? Math.max(1, Math.round(steps / 10)), 0);
  if (burnIn >= steps - 2) throw new Error(`${who}: \`burnIn\` (${burnIn}) leaves fewer than 3 of the ${steps} steps to judge`);
  const seed = args.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${who}: \`seed\` must be a whole number, got ${String(args.seed)}`);
  const hooks = kernelHooks();
  if (args.display === true && !hooks) throw new Error(`${who}: \`display: true\` needs a Gradscope kernel (outside one, read the returned curve, or result.toString())`);
  checkTrainable(model, who);
  const m = internals(model);
  if (m.isTraining) throw new Error(`${who}: cannot start because a fit() call on this model is ongoing`);
  const optimizer = freshCopy(args.optimizer ?? m.optimizer_, who);

  const [xs, ys] = await m.standardizeUserData(x, y, undefined, undefined, false, batchSize);
  const given = new Set<unknown>([x, y, ...(Array.isArray(x) ? x : x instanceof tf.Tensor ? [] : Object.values(x)), ...(Array.isArray(y) ? y : y instanceof tf.Tensor ? [] : Object.values(y))]);
  const made = [...xs, ...ys].filter((t) => !given.has(t));
  const n = xs[0].shape[0];
  // Every weight of the model (trainable or not: batch norm's moving statistics move in training mode).
  const weights = model.weights;
  const saved = weights.map((w) => tf.keep(tf.clone(w.read())));
  const savedOptimizer = { optimizer: m.optimizer_, owned: m.isOptimizerOwned };
  let interrupted = false;
  const unsubscribe = hooks?.onInterrupt(() => { interrupted = true; });
  const endActivity = hooks?.activity?.('trainRun');
  const lrs: number[] = [];
  const losses: number[] = [];
  let diverged: { index: number; why: string } | undefined;
  try {
    m.isTraining = true;
    m.optimizer_ = optimizer;
    const trainFn = m.makeTrainFunction();
    const order = new Int32Array(n).map((_, i) => i);
    const random = seededRandom(seed);
    const smooth = new SmoothedLoss(beta);
    let best = Infinity;
    let at = n;
    let lastYield = Date.now();
    for (let i = 0; i < steps; i++) {
      if (interrupted || hooks?.interrupted) { interrupted = true; break; }
      if (at + batchSize > n && at > 0) {
        if (args.shuffle !== false) {
          for (let j = n - 1; j > 0; j--) {
            const r = Math.floor(random() * (j + 1));
            [order[j], order[r]] = [order[r], order[j]];
          }
        }
        at = 0;
      }
      const idx = order.subarray(at, Math.min(n, at + batchSize));
      at += batchSize;
      const lr = rateAt(start, end, steps, i);
      setLearningRate(optimizer, lr);
      const loss = tf.tidy(() => {
        const ind = tf.tensor1d(idx, 'int32');
        const outs = trainFn([...xs, ...ys].map((t) => tf.gather(t, ind)));
        const v = outs[0].dataSync()[0];
        tf.dispose(outs);
        return v;
      });
      lrs.push(lr);
      losses.push(loss);
      const s = smooth.push(loss);
      if (!Number.isFinite(loss)) { diverged = { index: i, why: `the loss became ${loss}` }; break; }
      if (i > 0 && s > divergeFactor * best) { diverged = { index: i, why: `the smoothed loss ${s.toPrecision(3)} exceeded ${divergeFactor} × its lowest, ${best.toPrecision(3)}` }; break; }
      if (s < best) best = s;
      if (Date.now() - lastYield >= 20) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = Date.now();
      }
    }
  } finally {
    m.optimizer_ = savedOptimizer.optimizer;
    m.isOptimizerOwned = savedOptimizer.owned;
    m.isTraining = false;
    weights.forEach((w, i) => w.write(saved[i]));
    tf.dispose(saved);
    tf.dispose(made);
    optimizer.dispose();
    unsubscribe?.();
    endActivity?.();
  }
  if (interrupted) throw interruptedError(`${who} stopped after ${lrs.length} of ${steps} steps; the model's weights and optimizer are as they were before the test`);
  const analysis = analyzeCurve(lrs, losses, { start, end, steps, beta, divergeFactor, burnIn, diverged });
  const payload: LrFinderPayload = {
    version: LR_FINDER_SCHEMA_VERSION,
    lr: lrs,
    loss: losses.map((l) => (Number.isFinite(l) ? l : null)),
    range: { start, end, steps, beta, divergeFactor, burnIn },
    ...analysis,
    optimizer: (args.optimizer ?? savedOptimizer.optimizer).getClassName(),
    restored: true,
  };
  if (hooks && args.display !== false) hooks.display(payload, LR_FINDER_MIME);
  return new LrFinderResult(payload);
}
