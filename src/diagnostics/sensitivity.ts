/** Per-layer sensitivities s^k = ∂L/∂n^k (first version: placeholder, replaced below). */
import * as tf from '@tensorflow/tfjs';
import type { LossFn } from '../training/observer';

/** Options of {@link sensitivities}. */
export interface SensitivityArgs {
  /** The loss the model is trained with. */
  loss: LossFn;
}

/** RMS and max |s^k| of one layer over the batch. */
export interface LayerSensitivity {
  layer: string;
  rms: number;
  max: number;
}

/** Returns the per-layer sensitivities of `model` on one batch. */
export function sensitivities(
  model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, args: SensitivityArgs,
): LayerSensitivity[] {
  void model; void x; void y; void args;
  return [];
}
