/**
 * `gs.diagnostics.sensitivities`: the per-layer sensitivities of a model on one batch.
 *
 * For layer k with net input n^k (before its activation; for Dense n = xW + b) the sensitivity is
 * s^k = ∂L/∂n^k, which backpropagation computes recursively as s^k = s^{k+1} (W^{k+1})ᵀ ⊙ F'^k(n^k).
 * L is the mean loss over the batch, so each sample's s carries a factor 1/batch: the same model
 * gives 8× smaller numbers on 256 samples than on 32. The panel's numbers are a probe of its probe
 * batch (the snapshot's `probeBatch`: 32 samples by default) in training mode with the compiled loss;
 * this function says in each entry which batch size, mode and loss it used, and gives the panel's
 * numbers when called like the probe.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '../training/observer';
import { internals } from '../engine/modelInternals';
import { probeModel } from './probe';

/** Options of {@link sensitivities}. */
export interface SensitivityArgs {
  /**
   * The loss L: a loss name as `model.compile` takes it (`'meanSquaredError'`, `'categoricalCrossentropy'`,
   * …), or `(yTrue, yPred) => mean loss`. For a model with several outputs a name or function applies
   * to each output and the losses are summed, as in training. Defaults to the model's compiled loss
   * (each output's own).
   */
  loss?: string | LossFn;
  /** Run the forward pass in training mode (dropout active, batch norm on batch statistics), as the panel's probe does. Defaults to true. */
  training?: boolean;
}

/** The sensitivity of one layer with weights over the batch. */
export interface LayerSensitivity {
  /** tfjs layer name. */
  layer: string;
  /** Position in `model.layers`. */
  index: number;
  /** sqrt(mean over batch and units of (s^k)²); null for layers whose net input the probe cannot record (ConvLSTM2D, Bidirectional, TimeDistributed). */
  rms: number | null;
  /** max |s^k| over the batch; null as for `rms`. */
  max: number | null;
  /** l2 norm of ∂L/∂W^k over the layer's trainable weights; null when the layer has none (frozen). */
  gradNorm: number | null;
  /** Samples in the batch (s^k scales with 1/batchSize). */
  batchSize: number;
  /** True when measured in training mode. */
  training: boolean;
  /** The loss used: its name, `'compiled'` (the model's own) or `'custom'` (a function). */
  loss: string;
}

/** The mean-over-batch form of a per-sample loss function. */
const meanOf = (fn: (yt: tf.Tensor, yp: tf.Tensor) => tf.Tensor): LossFn => (yt, yp) => tf.tidy(() => tf.mean(fn(yt, yp)) as tf.Scalar);

/**
 * Resolves a loss name exactly as `model.compile` does (by compiling a one-weight model with it, so
 * every name compile accepts works and an unknown one fails with compile's own message).
 */
function lossByName(name: string): LossFn {
  const scratch = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  try {
    scratch.compile({ optimizer: 'sgd', loss: name });
    return meanOf(internals(scratch).lossFunctions[0]);
  } catch (e) {
    throw new TypeError(`sensitivities: unknown loss '${name}' (${(e as Error).message})`);
  } finally {
    scratch.dispose();
  }
}

/**
 * Returns s^k = ∂L/∂n^k summarized per layer with weights, input side first. Disposes everything it
 * creates and leaves the model unchanged.
 *
 * @example
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [4], units: 8, activation: 'sigmoid' }),
 *   tf.layers.dense({ units: 1 }),
 * ] });
 * model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = tf.randomNormal([32, 4]);
 * const y = tf.randomNormal([32, 1]);
 * const s = gs.diagnostics.sensitivities(model, x, y);            // the compiled loss
 * const t = gs.diagnostics.sensitivities(model, x, y, { loss: 'meanAbsoluteError' });
 * console.log(s.map((l) => `${l.layer}: rms ${l.rms?.toExponential(2)} over ${l.batchSize} samples`));
 */
export function sensitivities(
  model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: SensitivityArgs = {},
): LayerSensitivity[] {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError('sensitivities: the first argument must be a tf.LayersModel (tf.sequential or tf.model)');
  }
  if (args === null || typeof args !== 'object') throw new TypeError('sensitivities: the fourth argument must be an options object, e.g. { loss: \'meanSquaredError\' }');
  const given = args.loss;
  let loss: LossFn | LossFn[];
  let name: string;
  if (given === undefined) {
    const compiled = internals(model).lossFunctions;
    if (!compiled?.length) {
      throw new TypeError("sensitivities: the model is not compiled; compile it or pass the loss, e.g. { loss: 'meanSquaredError' }");
    }
    loss = compiled.length === 1 ? meanOf(compiled[0]) : compiled.map(meanOf);
    name = 'compiled';
  } else if (typeof given === 'string') {
    loss = lossByName(given);
    name = given;
  } else if (typeof given === 'function') {
    loss = given;
    name = 'custom';
  } else {
    throw new TypeError(`sensitivities: \`loss\` must be a loss name or a loss function, got ${typeof given}`);
  }
  const training = args.training ?? true;
  const batchSize = (Array.isArray(x) ? x[0] : x).shape[0] ?? 0;
  const result = probeModel(model, x, y, loss, { training, saturation: false });
  return result.layers.map((l) => ({
    layer: l.layer, index: l.index, rms: l.sensitivityRms, max: l.sensitivityMax, gradNorm: l.gradNorm, batchSize, training, loss: name,
  }));
}
