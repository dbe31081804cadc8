/**
 * `gs.diagnostics.sensitivities`: the per-layer sensitivities of a model on one batch.
 *
 * For layer k with net input n^k (before its activation; for Dense n = xW + b) the sensitivity is
 * s^k = ∂L/∂n^k, which backpropagation computes recursively as s^k = s^{k+1} (W^{k+1})ᵀ ⊙ F'^k(n^k).
 * L is the mean loss over the batch, so each sample's s carries a factor 1/batch. When s shrinks by
 * orders of magnitude from the last layer to the first, the first layers barely learn (vanishing
 * gradients); when it grows, they explode.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '../training/observer';
import { probeModel } from './probe';

/** Options of {@link sensitivities}. */
export interface SensitivityArgs {
  /** The loss the model is trained with: `(yTrue, yPred) => mean loss` (e.g. `tf.losses.meanSquaredError`). Required. */
  loss: LossFn;
  /** Run the forward pass in training mode (dropout active, batch norm on batch statistics). Defaults to true. */
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
 * const x = tf.randomNormal([32, 4]);
 * const y = tf.randomNormal([32, 1]);
 * const s = gs.diagnostics.sensitivities(model, x, y, { loss: tf.losses.meanSquaredError });
 * console.log(s.map((l) => `${l.layer}: rms ${l.rms?.toExponential(2)}`));
 */
export function sensitivities(
  model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: SensitivityArgs,
): LayerSensitivity[] {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError('sensitivities: the first argument must be a tf.LayersModel (tf.sequential or tf.model)');
  }
  if (!args || typeof args.loss !== 'function') {
    throw new TypeError('sensitivities: pass the loss function, e.g. { loss: tf.losses.meanSquaredError }');
  }
  const result = probeModel(model, x, y, args.loss, { training: args.training ?? true, saturation: false });
  return result.layers.map((l) => ({ layer: l.layer, index: l.index, rms: l.sensitivityRms, max: l.sensitivityMax, gradNorm: l.gradNorm }));
}
